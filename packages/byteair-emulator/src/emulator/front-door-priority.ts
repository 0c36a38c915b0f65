import { getPriority, setPriority } from 'node:os';

/** The nice value the emulator's stamping thread asks for (Linux: -20 highest, 19 lowest). */
export const FRONT_DOOR_NICE = -10;

/** What asking for it did; printed on the emulator's start line. */
export interface FrontDoorPriority {
  /** The main thread's nice value now. */
  readonly nice: number;
  readonly raised: boolean;
  /** Why it was not raised (no permission, not supported, turned off). */
  readonly reason?: string;
}

export interface PriorityCalls {
  getPriority(pid: number): number;
  setPriority(pid: number, priority: number): void;
}

/**
 * The API stamps a request's arrival at its own front door, on machines our workers do not
 * load. The emulator shares this machine's cores with the workers, Redis and the test runner,
 * and a runnable main thread the OS does not schedule stamps late: with one busy-looping
 * process beside the throughput bench, stamps lagged their sends by up to 42 ms and a second
 * held 56 902 records, although by send time no second held more than 50 000. With the main
 * thread at nice -10 the same load left a spread of 25 ms and no excess. So the stamping
 * thread asks for priority (pid 0 = the calling thread on Linux, where nice is per thread;
 * the body threads lower their own to 19 after). Lowering a nice value needs CAP_SYS_NICE:
 * without it the emulator runs at its inherited priority and the start line says why.
 */
export function raiseFrontDoorPriority(nice: number = FRONT_DOOR_NICE, calls: PriorityCalls = { getPriority, setPriority }): FrontDoorPriority {
  const before = safeGet(calls);
  if (before !== undefined && before <= nice) return { nice: before, raised: false, reason: `already at nice ${before}` };
  try {
    calls.setPriority(0, nice);
  } catch (error) {
    return { nice: before ?? 0, raised: false, reason: `setPriority(${nice}) failed (${errno(error)}): stamps may lag under CPU load` };
  }
  return { nice: safeGet(calls) ?? nice, raised: true };
}

/** Whether the stamping thread runs above normal priority (raised now, or already). */
export function stampsPrioritized(priority: FrontDoorPriority): boolean {
  return priority.nice < 0;
}

function safeGet(calls: PriorityCalls): number | undefined {
  try {
    return calls.getPriority(0);
  } catch {
    return undefined;
  }
}

/** Node's SystemError carries the errno name (EACCES) in info.code; its own code is ERR_SYSTEM_ERROR. */
function errno(error: unknown): string {
  if (error === null || typeof error !== 'object') return 'error';
  if ('info' in error && error.info !== null && typeof error.info === 'object' && 'code' in error.info) return String(error.info.code);
  return 'code' in error ? String(error.code) : 'error';
}
