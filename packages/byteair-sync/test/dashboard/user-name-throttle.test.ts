import type { Clock } from '../../src/clock.js';
import { MAX_USER_NAMES, USER_NAME_THROTTLE_POLICY, UserNameThrottle, userNameKey } from '../../dashboards/user-name-throttle.js';

/** A clock the test moves by hand. */
function steppingClock(start = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

function throttleWith(clock: Clock): UserNameThrottle {
  return new UserNameThrottle({ ...USER_NAME_THROTTLE_POLICY, clock });
}

/** Fails `user` once whenever it may be tried, and returns the delay each failure leads to. */
function delaysOf(throttle: UserNameThrottle, clock: ReturnType<typeof steppingClock>, user: string, failures: number): number[] {
  const delays: number[] = [];
  for (let i = 0; i < failures; i += 1) {
    clock.advance(throttle.retryAfterMs(user));
    throttle.failed(user);
    delays.push(throttle.retryAfterMs(user));
  }
  return delays;
}

test('the documented policy: two failures cost nothing, then 1 s after the 3rd, doubling to 15 min from the 13th on', () => {
  const clock = steppingClock();
  const throttle = throttleWith(clock);
  const s = 1_000;
  expect(delaysOf(throttle, clock, 'ops', 15)).toEqual([
    0,
    0,
    1 * s,
    2 * s,
    4 * s,
    8 * s,
    16 * s,
    32 * s,
    64 * s,
    128 * s,
    256 * s,
    512 * s,
    900 * s,
    900 * s,
    900 * s,
  ]);
});

test('it is a delay, not a lock: it runs down with the clock, and a success clears it', () => {
  const clock = steppingClock();
  const throttle = throttleWith(clock);
  delaysOf(throttle, clock, 'ops', 6);
  expect(throttle.retryAfterMs('ops')).toBe(8_000);
  clock.advance(3_000);
  expect(throttle.retryAfterMs('ops')).toBe(5_000);
  clock.advance(5_000);
  expect(throttle.retryAfterMs('ops')).toBe(0);
  throttle.succeeded('ops');
  // From zero again: the next two failures cost nothing.
  expect(delaysOf(throttle, clock, 'ops', 3)).toEqual([0, 0, 1_000]);
});

test('a user name quiet for an hour is forgotten', () => {
  const clock = steppingClock();
  const throttle = throttleWith(clock);
  delaysOf(throttle, clock, 'ops', 12);
  clock.advance(USER_NAME_THROTTLE_POLICY.forgetAfterMs);
  expect(throttle.retryAfterMs('ops')).toBe(0);
  expect(delaysOf(throttle, clock, 'ops', 3)).toEqual([0, 0, 1_000]);
});

test('case, surrounding spaces and Unicode composition are one user name; names are bounded; other names are independent', () => {
  const clock = steppingClock();
  const throttle = throttleWith(clock);
  for (const spelling of ['Ops', ' ops ', 'OPS']) throttle.failed(spelling);
  expect(throttle.retryAfterMs('ops')).toBe(1_000);
  expect(throttle.retryAfterMs('admin')).toBe(0);
  expect(userNameKey('e\u0301')).toBe(userNameKey('\u00e9'));
  expect(userNameKey('x'.repeat(10_000))).toHaveLength(128);
});

test('memory is bounded, and a spray of made-up names does not flush the count of a targeted name', () => {
  const clock = steppingClock();
  const throttle = throttleWith(clock);
  delaysOf(throttle, clock, 'ops', 8);
  const before = throttle.retryAfterMs('ops');
  for (let i = 0; i < MAX_USER_NAMES + 500; i += 1) throttle.failed(`made-up-${i}`);
  expect(throttle.size).toBe(MAX_USER_NAMES);
  expect(throttle.retryAfterMs('ops')).toBe(before);
  // A name just counted is never the one dropped, even when the map is full.
  for (let i = 0; i < 3; i += 1) throttle.failed('fresh');
  expect(throttle.retryAfterMs('fresh')).toBe(1_000);
  expect(throttle.size).toBe(MAX_USER_NAMES);
});
