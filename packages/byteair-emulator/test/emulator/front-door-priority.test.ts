import { FRONT_DOOR_NICE, raiseFrontDoorPriority, stampsPrioritized, type PriorityCalls } from '../../src/emulator/front-door-priority.js';

/* The emulator's stamping thread asks for priority; what it reports when it gets it or not. */

function calls(start: number, refuse?: string): PriorityCalls & { readonly set: number[] } {
  let nice = start;
  const set: number[] = [];
  return {
    set,
    getPriority: (pid) => {
      expect(pid).toBe(0);
      return nice;
    },
    setPriority: (pid, priority) => {
      expect(pid).toBe(0);
      set.push(priority);
      if (refuse !== undefined) throw Object.assign(new Error('not permitted'), { code: refuse });
      nice = priority;
    },
  };
}

test('raises the calling thread (pid 0) to nice -10 and reports the value read back', () => {
  const os = calls(0);
  expect(raiseFrontDoorPriority(FRONT_DOOR_NICE, os)).toEqual({ nice: -10, raised: true });
  expect(os.set).toEqual([-10]);
});

test('without permission it keeps its priority and says why', () => {
  const os = calls(0, 'EACCES');
  expect(raiseFrontDoorPriority(FRONT_DOOR_NICE, os)).toEqual({
    nice: 0,
    raised: false,
    reason: 'setPriority(-10) failed (EACCES): stamps may lag under CPU load',
  });
});

test("Node's SystemError is reported by its errno name", () => {
  const os: PriorityCalls = {
    getPriority: () => 0,
    setPriority: () => {
      throw Object.assign(new Error('A system error occurred'), { code: 'ERR_SYSTEM_ERROR', info: { code: 'EACCES', errno: -13 } });
    },
  };
  expect(raiseFrontDoorPriority(FRONT_DOOR_NICE, os).reason).toBe('setPriority(-10) failed (EACCES): stamps may lag under CPU load');
});

test('a thread already at that priority or higher is left alone', () => {
  const os = calls(-15);
  expect(raiseFrontDoorPriority(FRONT_DOOR_NICE, os)).toEqual({ nice: -15, raised: false, reason: 'already at nice -15' });
  expect(os.set).toEqual([]);
});

test('stamps count as prioritized when the thread runs below nice 0, raised now or already', () => {
  expect(stampsPrioritized({ nice: -10, raised: true })).toBe(true);
  expect(stampsPrioritized({ nice: -15, raised: false, reason: 'already at nice -15' })).toBe(true);
  expect(stampsPrioritized({ nice: 0, raised: false, reason: 'turned off (--no-front-door-priority)' })).toBe(false);
});
