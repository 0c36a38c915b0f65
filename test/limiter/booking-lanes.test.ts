import { performance } from 'node:perf_hooks';
import { BookingLanes, type BookAnswer } from '../../src/limiter/booking-lanes.js';

/**
 * The lanes against a scripted booker (no Redis): which waiter asks, and when. The booker
 * refuses a 10-record request until told otherwise and books anything smaller at once, the
 * situation of a large chunk behind a stream of small ones.
 */
function scripted(): { lanes: BookingLanes; asked: number[]; acceptLarge: () => void } {
  const asked: number[] = [];
  let large = false;
  let seq = 0;
  // Answers on a later turn of the event loop, as a Redis round trip does.
  const later = (answer: BookAnswer): Promise<BookAnswer> => new Promise((resolve) => setImmediate(() => resolve(answer)));
  const book = (records: number): Promise<BookAnswer> => {
    asked.push(records);
    seq += 1;
    if (records < 10 || large) return later({ kind: 'booked', member: `${seq}:${records}`, startAt: 0, now: 0 });
    return later({ kind: 'refused', retryInMs: 5, now: 0, roomNow: 5 });
  };
  const lanes = new BookingLanes({ book, release: () => Promise.resolve(), monotonic: () => performance.now(), gapFillMs: 200 });
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
  const { lanes, asked, acceptLarge } = scripted();
  const head = lanes.reserve(10, 'history', undefined, abortError, false);
  let stop = false;
  const feed = async (): Promise<void> => {
    while (!stop) await lanes.reserve(1, 'history', undefined, abortError, false);
  };
  const feeding = feed();
  try {
    await new Promise((resolve) => setTimeout(resolve, 400));
    const askedAt400 = asked.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Past the 200 ms bound only the head asks (every retryInMs); the small waiter just waits.
    expect(asked.slice(askedAt400).length).toBeGreaterThan(0);
    expect(asked.slice(askedAt400).every((r) => r === 10)).toBe(true);
  } finally {
    stop = true;
    acceptLarge();
  }
  await head;
  await feeding;
});
