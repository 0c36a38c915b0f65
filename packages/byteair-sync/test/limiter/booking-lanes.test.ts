import { performance } from 'node:perf_hooks';
import { BookingLanes, type BookAnswer } from '../../src/limiter/booking-lanes.js';
import { eventually } from '../../../../test/support/eventually.js';

/**
 * The lanes against a scripted booker (no Redis): which waiter asks, and when. The booker
 * refuses a 10-record request until told otherwise and books anything smaller at once, the
 * situation of a large chunk behind a stream of small ones.
 */
function scripted(monotonic: () => number = () => performance.now()): { lanes: BookingLanes; asked: number[]; acceptLarge: () => void } {
  const asked: number[] = [];
  let large = false;
  let seq = 0;
  // Answers on a later turn of the event loop, as a Redis round trip does.
  const later = (answer: BookAnswer): Promise<BookAnswer> => new Promise((resolve) => setImmediate(() => resolve(answer)));
  const book = (records: number): Promise<BookAnswer> => {
    asked.push(records);
    seq += 1;
    if (records < 10 || large) return later({ kind: 'booked', member: `${seq}:${records}`, startAt: 0, now: 0 });
    return later({ kind: 'refused', retryInMs: 5, now: 0, roomInHorizon: 5 });
  };
  const lanes = new BookingLanes({ book, release: () => Promise.resolve(), monotonic, gapFillMs: 200 });
  return { lanes, asked, acceptLarge: () => (large = true) };
}

const abortError = (): Error => new Error('aborted');

test('while the head is refused, a smaller waiter behind it books: the largest that fits the room first', async () => {
  const { lanes, asked, acceptLarge } = scripted();
  const head = lanes.reserve(10, 'history', undefined, abortError, false);
  const small = lanes.reserve(1, 'history', undefined, abortError, false);
  const fits = lanes.reserve(5, 'history', undefined, abortError, false);
  const tooBig = lanes.reserve(7, 'history', undefined, abortError, false);
  await fits;
  await small;
  // Room 5: the 5 goes before the 1; the 7 (more than the room) only as the smallest left.
  expect(asked.slice(0, 4)).toEqual([10, 5, 10, 1]);
  await tooBig;
  acceptLarge();
  await head;
});

test('a steady stream of small waiters cannot starve the head: after gapFillMs the lane is first come, first served', async () => {
  // The bound is read from the lanes' monotonic clock: step it past gapFillMs instead of waiting.
  let now = 1_000;
  const { lanes, asked, acceptLarge } = scripted(() => now);
  const head = lanes.reserve(10, 'history', undefined, abortError, false);
  let stop = false;
  const feed = async (): Promise<void> => {
    while (!stop) await lanes.reserve(1, 'history', undefined, abortError, false);
  };
  const feeding = feed();
  try {
    // Within the bound the small waiters fill the gaps between the head's refusals.
    await eventually(() => asked.filter((r) => r === 1).length >= 3, 'small waiters to fill gaps');
    now += 201;
    const atStep = asked.length;
    // Past the bound only the head asks (every retryInMs); the small waiter just waits. Ten of
    // its asks in a row are ten chances the small one had to slip in.
    await eventually(() => asked.slice(atStep).filter((r) => r === 10).length >= 10, 'the head to ask ten times past the bound');
    expect(asked.slice(atStep).filter((r) => r !== 10)).toEqual([]);
  } finally {
    stop = true;
    acceptLarge();
  }
  await head;
  await feeding;
});

/**
 * A booker that books everything, except that the first call (the blocker's) is answered only
 * when released: meanwhile the others join the lane, so the order they ask in is the lane's.
 */
function gated(agingMs?: number, monotonic: () => number = () => performance.now()): { lanes: BookingLanes; asked: number[]; release: () => void } {
  const asked: number[] = [];
  let open: (() => void) | undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const book = async (records: number): Promise<BookAnswer> => {
    asked.push(records);
    if (asked.length === 1) await opened;
    return { kind: 'booked', member: `${asked.length}:${records}`, startAt: 0, now: 0 };
  };
  const lanes = new BookingLanes({ book, release: () => Promise.resolve(), monotonic, ...(agingMs === undefined ? {} : { agingMs }) });
  return { lanes, asked, release: () => open?.() };
}

test('the largest waiter asks first, equal ones in arrival order (best fit for the slots that free up)', async () => {
  const { lanes, asked, release } = gated();
  const all = [100, 1, 10, 5, 10, 3].map((records) => lanes.reserve(records, 'history', undefined, abortError, false));
  release();
  const bookings = await Promise.all(all);
  expect(asked).toEqual([100, 10, 10, 5, 3, 1]);
  // The first 10 to arrive booked first.
  expect(bookings[2]?.member).toBe('2:10');
  expect(bookings[4]?.member).toBe('3:10');
});

test('a waiter older than agingMs asks before younger, larger ones, so a backlog of large chunks cannot hold a small one back for good', async () => {
  // Age is read from the lanes' monotonic clock: step it past agingMs instead of waiting.
  let now = 1_000;
  const { lanes, asked, release } = gated(50, () => now);
  const blocker = lanes.reserve(100, 'history', undefined, abortError, false);
  const old = lanes.reserve(1, 'history', undefined, abortError, false);
  now += 80;
  const young = [lanes.reserve(10, 'history', undefined, abortError, false), lanes.reserve(5, 'history', undefined, abortError, false)];
  release();
  await Promise.all([blocker, old, ...young]);
  expect(asked).toEqual([100, 1, 10, 5]);
});

test('control: the same waiters with no time passed ask largest first (the age above is what moved the small one up)', async () => {
  const now = 1_000;
  const { lanes, asked, release } = gated(50, () => now);
  const blocker = lanes.reserve(100, 'history', undefined, abortError, false);
  const all = [1, 10, 5].map((records) => lanes.reserve(records, 'history', undefined, abortError, false));
  release();
  await Promise.all([blocker, ...all]);
  expect(asked).toEqual([100, 10, 5, 1]);
});

test('a waiter that lost its booking asks first, whatever its size', async () => {
  const { lanes, asked, release } = gated();
  const others = [lanes.reserve(100, 'history', undefined, abortError, false), lanes.reserve(10, 'history', undefined, abortError, false)];
  const rebooking = lanes.reserve(1, 'history', undefined, abortError, true);
  release();
  await Promise.all([...others, rebooking]);
  expect(asked).toEqual([100, 1, 10]);
});
