import fc from 'fast-check';
import { SlidingWindowLog } from '../../src/emulator/sliding-window.js';

const one = (records = 0): { requests: number; records: number } => ({ requests: 1, records });

test('windows are half-open: arrivals exactly 1000 ms apart never share one', () => {
  const log = new SlidingWindowLog();
  log.add(0, one(10));
  expect(log.add(1000, one(10))).toEqual({ requests: 1, records: 10 });
  // 999.5 shares (−0.5, 999.5] with 0 and (0, 1000] with 1000, but no window holds all three.
  expect(log.add(999.5, one(10))).toEqual({ requests: 2, records: 20 });
  expect(log.peak).toEqual({ requests: 2, records: 20 });
});

test('an arrival added late counts in the later windows it belongs to', () => {
  const log = new SlidingWindowLog();
  log.add(100, one(1));
  log.add(1050, one(1));
  // Arrived at 600, added after the one at 1050 (its body took longer to read).
  expect(log.loadIfAdded(600, one(5))).toEqual({ requests: 3, records: 7 });
  log.add(600, one(5));
  expect(log.peak).toEqual({ requests: 3, records: 7 });
});

test('requests and records peak independently', () => {
  const log = new SlidingWindowLog();
  log.add(0, one(1000));
  log.add(2000, one(1));
  log.add(2001, one(1));
  log.add(2002, one(1));
  expect(log.peak).toEqual({ requests: 3, records: 1000 });
});

/** The heaviest window containing `t`, by brute force over every window end. */
function bruteForce(arrivals: ReadonlyArray<readonly [number, number]>, t: number, records: number): { requests: number; records: number } {
  const all = [...arrivals, [t, records] as const];
  let best = { requests: 0, records: 0 };
  for (const [end] of all) {
    if (!(t > end - 1000 && t <= end)) continue;
    const inside = all.filter(([time]) => time > end - 1000 && time <= end);
    best = {
      requests: Math.max(best.requests, inside.length),
      records: Math.max(
        best.records,
        inside.reduce((sum, [, r]) => sum + r, 0),
      ),
    };
  }
  return best;
}

test('agrees with a brute-force count for arrivals in any order (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 50 })), { maxLength: 40 }), (arrivals) => {
      const log = new SlidingWindowLog();
      const seen: Array<readonly [number, number]> = [];
      let peak = { requests: 0, records: 0 };
      for (const [time, records] of arrivals) {
        const expected = bruteForce(seen, time, records);
        expect(log.add(time, one(records))).toEqual(expected);
        seen.push([time, records]);
        peak = { requests: Math.max(peak.requests, expected.requests), records: Math.max(peak.records, expected.records) };
      }
      expect(log.peak).toEqual(peak);
    }),
  );
});

test('keeps only its horizon of arrivals, so a long run stays small and correct', () => {
  const log = new SlidingWindowLog(1000, 2000);
  for (let t = 0; t < 100_000; t += 10) log.add(t, one(1));
  expect(log.peak).toEqual({ requests: 100, records: 100 });
  expect(log.loadIfAdded(100_000, one(0))).toEqual({ requests: 100, records: 99 });
});
