import { count, duration, percent, time } from '../../dashboards/status-format.js';

test('count rounds and groups thousands with a space, whatever the server locale', () => {
  expect([0, 999, 1_000, 1_234_567, 12.6].map(count)).toEqual(['0', '999', '1 000', '1 234 567', '13']);
});

test('time is UTC to the second; nothing, zero or not a number is a dash', () => {
  expect(time(Date.UTC(2026, 10, 28, 9, 54, 17, 999))).toBe('2026-11-28 09:54:17 UTC');
  expect([null, undefined, 0, -1, Number.NaN, Number.POSITIVE_INFINITY].map(time)).toEqual(['—', '—', '—', '—', '—', '—']);
});

test('duration picks the unit a person reads: ms, s, min and s, h and min', () => {
  expect([-5, 0, 999, 1_000, 59_999, 60_000, 61_500, 3_599_999, 3_600_000, 90_061_000].map(duration)).toEqual([
    '0 ms',
    '0 ms',
    '999 ms',
    '1 s',
    '59 s',
    '1 min 0 s',
    '1 min 1 s',
    '59 min 59 s',
    '1 h 0 min',
    '25 h 1 min',
  ]);
});

test('percent rounds, and an empty whole is 0 % rather than NaN', () => {
  expect([percent(1, 3), percent(2, 3), percent(3, 3), percent(0, 0), percent(5, -1)]).toEqual(['33 %', '67 %', '100 %', '0 %', '0 %']);
});
