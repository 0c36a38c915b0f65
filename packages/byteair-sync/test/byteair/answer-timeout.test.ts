import { AnswerTimeouts } from '../../src/byteair/answer-timeout.js';

const policy = { floorMs: 1_000, capMs: 16_000 };

test('before any answer a host gets the floor', () => {
  expect(new AnswerTimeouts(policy).timeoutFor('a')).toBe(1_000);
});

test('answers faster than the floor leave the floor in force', () => {
  const t = new AnswerTimeouts(policy);
  for (const ms of [80, 120, 95, 300, 90]) t.answered('a', ms);
  expect(t.timeoutFor('a')).toBe(1_000);
});

test('slow answers raise the timeout to the smoothed answer time plus four deviations (RFC 6298)', () => {
  const t = new AnswerTimeouts(policy);
  t.answered('a', 2_000);
  // First sample: SRTT 2000, RTTVAR 1000, so 2000 + 4 * 1000.
  expect(t.timeoutFor('a')).toBe(6_000);
  t.answered('a', 2_000);
  // RTTVAR = 0.75 * 1000 + 0.25 * 0 = 750; SRTT stays 2000.
  expect(t.timeoutFor('a')).toBe(5_000);
  // Another host is measured on its own.
  expect(t.timeoutFor('b')).toBe(1_000);
});

test('each timeout in a row doubles the next one, up to the cap; the next answer brings it back', () => {
  const t = new AnswerTimeouts(policy);
  const seen: number[] = [];
  for (let i = 0; i < 6; i += 1) {
    seen.push(t.timeoutFor('a'));
    t.timedOut('a');
  }
  expect(seen).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 16_000]);
  // Answered at last, after 3 s: measured from that answer, no longer doubled.
  t.answered('a', 3_000);
  expect(t.timeoutFor('a')).toBe(9_000);
  t.timedOut('a');
  expect(t.timeoutFor('a')).toBe(16_000);
});

test('a cap equal to the floor fixes the timeout', () => {
  const t = new AnswerTimeouts({ floorMs: 500, capMs: 500 });
  t.answered('a', 5_000);
  t.timedOut('a');
  expect(t.timeoutFor('a')).toBe(500);
});

test('bounds that cannot hold are refused, naming both', () => {
  expect(() => new AnswerTimeouts({ floorMs: 2_000, capMs: 1_000 })).toThrow(/cap 1000 ms must be at least the floor 2000 ms/);
  expect(() => new AnswerTimeouts({ floorMs: 0, capMs: 1_000 })).toThrow(RangeError);
});
