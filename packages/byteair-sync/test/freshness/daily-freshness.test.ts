import { DateTime } from 'luxon';
import { dailyFreshness, doneDueAt, dueThroughAt, MISSING_LISTED, type FreshnessInput } from '../../src/freshness/daily-freshness.js';
import { parseTimeOfDay } from '../../src/freshness/time-of-day.js';

const SIX = parseTimeOfDay('06:00');
const at = (iso: string, zone = 'Asia/Shanghai'): number => DateTime.fromISO(iso, { zone }).toMillis();

function input(over: Partial<FreshnessInput>): FreshnessInput {
  return { now: at('2026-12-07T07:00'), zone: 'Asia/Shanghai', doneBy: SIX, firstDailyDoneDate: '2026-12-01', doneDates: new Set<string>(), ...over };
}

const allDone = (from: string, to: string): Set<string> => {
  const out = new Set<string>();
  for (let d = DateTime.fromISO(from); d <= DateTime.fromISO(to); d = d.plus({ days: 1 })) out.add(d.toFormat('yyyy-MM-dd'));
  return out;
};

describe('when a date is due', () => {
  test("a date's Done is due the next day at doneBy, in the data zone", () => {
    expect(doneDueAt('2026-12-06', 'Asia/Shanghai', SIX)).toBe(Date.parse('2026-12-06T22:00:00Z'));
    expect(doneDueAt('2026-12-06', 'UTC', SIX)).toBe(Date.parse('2026-12-07T06:00:00Z'));
  });

  test('yesterday is due from doneBy on; before it, only the day before', () => {
    expect(dueThroughAt(at('2026-12-07T05:59:59'), 'Asia/Shanghai', SIX)).toBe('2026-12-05');
    expect(dueThroughAt(at('2026-12-07T06:00'), 'Asia/Shanghai', SIX)).toBe('2026-12-06');
    expect(dueThroughAt(at('2026-12-07T23:59'), 'Asia/Shanghai', SIX)).toBe('2026-12-06');
  });

  test('the zone decides the date, not UTC', () => {
    // 2026-12-06T23:00Z is 07:00 on the 7th in Shanghai: the 6th is due there, not yet in UTC.
    const now = Date.parse('2026-12-06T23:00:00Z');
    expect(dueThroughAt(now, 'Asia/Shanghai', SIX)).toBe('2026-12-06');
    expect(dueThroughAt(now, 'UTC', SIX)).toBe('2026-12-05');
  });

  test('a daylight-saving day keeps the wall-clock deadline', () => {
    // America/New_York springs forward on 2026-03-08: 06:00 local is 10:00Z that day, 11:00Z the day before.
    expect(doneDueAt('2026-03-07', 'America/New_York', SIX)).toBe(Date.parse('2026-03-08T10:00:00Z'));
    expect(doneDueAt('2026-03-06', 'America/New_York', SIX)).toBe(Date.parse('2026-03-07T11:00:00Z'));
  });
});

describe('dailyFreshness', () => {
  test('on time when every due date since the first daily Done is acknowledged', () => {
    const f = dailyFreshness(input({ doneDates: allDone('2026-12-01', '2026-12-06') }));
    expect(f).toEqual({ state: 'on-time', doneBy: '06:00', dueThrough: '2026-12-06', missingDates: [], missingCount: 0, lagSeconds: 0 });
  });

  test("today's date and yesterday's before 06:00 are not owed yet", () => {
    const f = dailyFreshness(input({ now: at('2026-12-07T05:00'), doneDates: allDone('2026-12-01', '2026-12-05') }));
    expect(f.state).toBe('on-time');
  });

  test("late by the seconds since yesterday's Done was due", () => {
    const f = dailyFreshness(input({ now: at('2026-12-07T07:30'), doneDates: allDone('2026-12-01', '2026-12-05') }));
    expect(f).toMatchObject({ state: 'late', missingDates: ['2026-12-06'], missingCount: 1, lagSeconds: 90 * 60 });
  });

  test('a gap is missing even when later dates are done; lag counts from the oldest', () => {
    const done = allDone('2026-12-01', '2026-12-06');
    done.delete('2026-12-03');
    const f = dailyFreshness(input({ doneDates: done }));
    expect(f.missingDates).toEqual(['2026-12-03']);
    expect(f.lagSeconds).toBe((at('2026-12-07T07:00') - at('2026-12-04T06:00')) / 1000);
  });

  test('dates before the first daily Done are not owed (onboarding backfills them as history)', () => {
    const f = dailyFreshness(input({ firstDailyDoneDate: '2026-12-05', doneDates: allDone('2026-12-05', '2026-12-06') }));
    expect(f.state).toBe('on-time');
  });

  test('not started before any daily Done, off without a deadline; neither owes anything', () => {
    expect(dailyFreshness(input({ firstDailyDoneDate: null }))).toMatchObject({ state: 'not-started', doneBy: '06:00', lagSeconds: 0 });
    expect(dailyFreshness(input({ doneBy: null }))).toMatchObject({ state: 'off', doneBy: null, lagSeconds: 0, missingCount: 0 });
  });

  test('months behind: the count is exact, the list holds the oldest dates only', () => {
    const f = dailyFreshness(input({ firstDailyDoneDate: '2026-01-01', doneDates: new Set(['2026-01-01']) }));
    expect(f.missingCount).toBe(DateTime.fromISO('2026-12-06').diff(DateTime.fromISO('2026-01-01'), 'days').days);
    expect(f.missingDates).toHaveLength(MISSING_LISTED);
    expect(f.missingDates[0]).toBe('2026-01-02');
  });

  test('the clock is the only source of now: the same input gives the same answer', () => {
    const one = input({ doneDates: allDone('2026-12-01', '2026-12-04') });
    expect(dailyFreshness(one)).toEqual(dailyFreshness(one));
    expect(dailyFreshness({ ...one, now: one.now + 60_000 }).lagSeconds).toBe(dailyFreshness(one).lagSeconds + 60);
  });
});

describe('parseTimeOfDay', () => {
  test.each(['6:00', '06:00', '23:59', '00:00'])('accepts %s', (text) => expect(() => parseTimeOfDay(text)).not.toThrow());
  test.each(['24:00', '06:60', '6', '06:00:00', 'six', ''])('refuses %j, naming it', (text) =>
    expect(() => parseTimeOfDay(text)).toThrow(`"${text}" is not a time of day HH:MM`),
  );
});
