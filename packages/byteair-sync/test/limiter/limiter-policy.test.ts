import fc from 'fast-check';
import { afterPenalty, effectiveCeiling, factorAt, FULL_SPEED, type AimdOptions } from '../../src/limiter/aimd.js';
import { bumpedAfterMove, earliestStart, largestRoom, roomAt, type BookedEntry, type BookingLimits, type LoggedEntry } from './booking-rule.js';
import { LimiterOptionError } from '../../src/limiter/limiter-errors.js';
import { DEFAULT_HORIZONS_MS, resolveLimiterOptions, validatePriority, validateRecordCount, windowMs } from '../../src/limiter/limiter-options.js';
import { LIMITER_PRIORITIES } from '../../src/limiter/rate-limiter.js';
import { inLogOrder, peakLoad } from './window-audit.js';

describe('limiter options', () => {
  test('defaults: 100 req/s, 50 000 rec/s, 30 ms margin, the horizon table, AIMD 0.5 / 0.05 / +0.05 per s, +2 per s after an isolated 429', () => {
    const o = resolveLimiterOptions();
    expect(o).toMatchObject({ maxRequestsPerSecond: 100, maxRecordsPerSecond: 50_000, marginMs: 30, lateToleranceMs: 15 });
    expect(o.horizonsMs).toEqual({ streaming: 1000, done: 1000, daily: 300, history: 200, pre_sync: 100 });
    expect(o.aimd).toEqual({ decrease: 0.5, floor: 0.05, recoveryPerSecond: 0.05, holdMs: 1030, fastRecoveryPerSecond: 2, calmMs: 30_000 });
    expect(windowMs(o)).toBe(1030);
    expect(Object.isFrozen(o)).toBe(true);
  });

  test('the horizon table orders the priorities as the contract lists them', () => {
    const horizons = LIMITER_PRIORITIES.map((p) => DEFAULT_HORIZONS_MS[p]);
    expect([...horizons].sort((a, b) => b - a)).toEqual(horizons);
  });

  test('overrides merge with the defaults', () => {
    const o = resolveLimiterOptions({ marginMs: 40, horizonsMs: { history: 250 }, aimd: { floor: 0.1 } });
    expect(o.horizonsMs.history).toBe(250);
    expect(o.horizonsMs.daily).toBe(300);
    expect(o.aimd).toMatchObject({ floor: 0.1, decrease: 0.5, holdMs: 1040 });
    expect(o.lateToleranceMs).toBe(20);
    expect(resolveLimiterOptions({ marginMs: 0 }).lateToleranceMs).toBe(1);
  });

  test.each([
    [{ maxRequestsPerSecond: 0 }, 'maxRequestsPerSecond'],
    [{ maxRecordsPerSecond: 1.5 }, 'maxRecordsPerSecond'],
    [{ marginMs: -1 }, 'marginMs'],
    [{ horizonsMs: { daily: -5 } }, 'horizonsMs.daily'],
    [{ horizonsMs: { weekly: 5 } as never }, 'horizonsMs.weekly'],
    [{ aimd: { decrease: 1 } }, 'aimd.decrease'],
    [{ aimd: { floor: 0 } }, 'aimd.floor'],
    [{ aimd: { recoveryPerSecond: Number.NaN } }, 'aimd.recoveryPerSecond'],
    [{ lateToleranceMs: 0 }, 'lateToleranceMs'],
  ])('rejects %j, naming %s', (settings, option) => {
    expect(() => resolveLimiterOptions(settings)).toThrow(LimiterOptionError);
    expect(() => resolveLimiterOptions(settings)).toThrow(expect.objectContaining({ option, code: 'LIMITER_OPTION_INVALID' }) as Error);
  });

  test('records and priority are checked at the call', () => {
    expect(validateRecordCount(0)).toBe(0);
    expect(() => validateRecordCount(-1)).toThrow(LimiterOptionError);
    expect(() => validateRecordCount(2.5)).toThrow(/records/);
    expect(validatePriority('done')).toBe('done');
    expect(() => validatePriority('urgent')).toThrow(/priority/);
  });
});

describe('AIMD factor', () => {
  const options: AimdOptions = { decrease: 0.5, floor: 0.05, recoveryPerSecond: 0.05, holdMs: 1025, fastRecoveryPerSecond: 2, calmMs: 30_000 };

  test('an isolated 429 halves the factor for holdMs, then it is back to 1 within 250 ms', () => {
    const cut = afterPenalty(FULL_SPEED, 10_000, options);
    expect(cut).toEqual({ factor: 0.5, storedAt: 11_025, lastCutAt: 10_000, rate: 2 });
    expect(factorAt(cut, 9_000, options)).toBe(0.5);
    expect(factorAt(cut, 10_000, options)).toBe(0.5);
    expect(factorAt(cut, 11_025, options)).toBe(0.5);
    expect(factorAt(cut, 11_150, options)).toBeCloseTo(0.75, 12);
    expect(factorAt(cut, 11_275, options)).toBe(1);
    // As isolated long after a cut as with none before it.
    const later = afterPenalty(cut, 10_000 + 30_000, options);
    expect(later).toEqual({ factor: 0.5, storedAt: 41_025, lastCutAt: 40_000, rate: 2 });
  });

  test('a 429 within calmMs of the last cut climbs from the cut by 0.05 per second, up to 1', () => {
    const first = afterPenalty(FULL_SPEED, 0, options);
    const cut = afterPenalty(first, 10_000, options);
    expect(cut).toEqual({ factor: 0.5, storedAt: 10_000, lastCutAt: 10_000, rate: 0.05 });
    expect(factorAt(cut, 12_000, options)).toBeCloseTo(0.6, 12);
    expect(factorAt(cut, 20_000, options)).toBe(1);
  });

  test('429s within holdMs of the last cut do not cut again; later ones cut from the recovered factor', () => {
    const cut = afterPenalty(FULL_SPEED, 0, options);
    expect(afterPenalty(cut, 1_024, options)).toBe(cut);
    // 100 ms into the fast climb: 0.5 + 0.2, then halved, and slow from here on.
    const again = afterPenalty(cut, 1_125, options);
    expect(again.factor).toBeCloseTo((0.5 + 0.2) * 0.5, 12);
    expect(again.rate).toBe(0.05);
  });

  test('a state stored before the rate was (no rate field) climbs at recoveryPerSecond', () => {
    expect(factorAt({ factor: 0.5, storedAt: 0, lastCutAt: 0 }, 2_000, options)).toBeCloseTo(0.6, 12);
  });

  test('never goes below the floor', () => {
    let state = FULL_SPEED;
    for (let i = 0; i < 20; i += 1) state = afterPenalty(state, i * 2_000, { ...options, recoveryPerSecond: 0 });
    expect(state.factor).toBe(0.05);
  });

  test('effective ceilings round down, stay ≥ 1, and do not lose a unit to float error', () => {
    expect(effectiveCeiling(100, 0.15)).toBe(15);
    expect(effectiveCeiling(50_000, 0.05)).toBe(2_500);
    expect(effectiveCeiling(3, 0.05)).toBe(1);
    expect(effectiveCeiling(100, 1)).toBe(100);
  });
});

describe('booking rule', () => {
  const limits = { requests: 3, records: 100, windowMs: 1_000 };
  /** Up to 10 bookings over 2.5 s, sorted by start as the log holds them. */
  const sortedEntries = fc
    .array(fc.record({ start: fc.integer({ min: 0, max: 2_500 }), records: fc.integer({ min: 0, max: 60 }) }), { maxLength: 10 })
    .map((raw) => [...raw].sort((a, b) => a.start - b.start));

  /** Books each call by the rule when it comes (`gap` ms after the one before), as a log would hold it. */
  const bookInTurn = (calls: ReadonlyArray<{ gap: number; records: number }>, l: BookingLimits): Array<LoggedEntry & { askedAt: number }> => {
    const log: Array<LoggedEntry & { askedAt: number }> = [];
    let now = 0;
    calls.forEach((call, i) => {
      now += call.gap;
      const live = log.filter((e) => e.start > now - l.windowMs).sort((a, b) => a.start - b.start);
      log.push({ start: earliestStart(live, call.records, now, l), records: call.records, member: `${i + 1}:${call.records}`, askedAt: now });
    });
    return log;
  };

  test('books at the lower bound when the window has room', () => {
    expect(earliestStart([{ start: 500, records: 10 }], 10, 600, limits)).toBe(600);
  });

  test('drops the oldest bookings until both ceilings fit', () => {
    const entries: BookedEntry[] = [
      { start: 100, records: 10 },
      { start: 200, records: 10 },
      { start: 300, records: 10 },
    ];
    expect(earliestStart(entries, 1, 300, limits)).toBe(1_100);
    expect(
      earliestStart(
        [
          { start: 100, records: 60 },
          { start: 200, records: 30 },
        ],
        20,
        250,
        limits,
      ),
    ).toBe(1_100);
    expect(
      earliestStart(
        [
          { start: 100, records: 60 },
          { start: 200, records: 30 },
        ],
        80,
        250,
        limits,
      ),
    ).toBe(1_200);
  });

  test('entries with the same start leave together; oversize requests wait for an empty window', () => {
    expect(
      earliestStart(
        [
          { start: 100, records: 1 },
          { start: 100, records: 1 },
          { start: 100, records: 1 },
        ],
        1,
        150,
        limits,
      ),
    ).toBe(1_100);
    expect(earliestStart([{ start: 100, records: 1 }], 500, 150, limits)).toBe(1_100);
    expect(earliestStart([], 500, 150, limits)).toBe(150);
  });

  test('a small request fills the room a large one left, without pushing a later booking over', () => {
    // 60 and 20 booked: a 20 fits between them (80, then 100 in the window ending at 200);
    // a 21 would put 101 there, so it waits for the 60 to leave.
    const booked = [
      { start: 100, records: 60 },
      { start: 200, records: 20 },
    ];
    expect(earliestStart(booked, 20, 150, limits)).toBe(150);
    expect(earliestStart(booked, 21, 150, limits)).toBe(1_100);
    // A booking made ahead at 900 holds 90: going at 150 with 20 would put 120 in the window ending at 900.
    const ahead = [
      { start: 100, records: 10 },
      { start: 900, records: 90 },
    ];
    // ... and so would any start before that booking leaves, at 1 900.
    expect(earliestStart(ahead, 20, 150, limits)).toBe(1_900);
    expect(earliestStart(ahead, 0, 150, limits)).toBe(150);
    // The request ceiling counts later windows too: 3 requests ahead leave no room before them.
    const three = [
      { start: 400, records: 1 },
      { start: 500, records: 1 },
      { start: 600, records: 1 },
    ];
    expect(earliestStart(three, 1, 150, limits)).toBe(1_400);
  });

  test('an oversize request waits until no other request shares a window with it', () => {
    expect(earliestStart([{ start: 900, records: 1 }], 500, 150, limits)).toBe(1_900);
  });

  test('property: bookings by this rule, in any order of start, never put more than the ceilings in any window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 400 }), records: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 60, max: 200 }),
        (calls, requests, records) => {
          const l = { requests, records, windowMs: 1_000 };
          const log = bookInTurn(calls, l);
          for (const booking of log) expect(booking.start).toBeGreaterThanOrEqual(booking.askedAt);
          const peak = peakLoad(log, l.windowMs);
          expect(peak.requests).toBeLessThanOrEqual(requests);
          expect(peak.records).toBeLessThanOrEqual(records);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a booking moved late displaces the later bookings it no longer fits beside, and only those', () => {
    // A (60) left 30 ms late: the window ending at B's start (1 000) would hold 120.
    const moved: LoggedEntry[] = [
      { start: 30, records: 60, member: '1:60' },
      { start: 1_000, records: 60, member: '2:60' },
      { start: 1_500, records: 30, member: '3:30' },
    ];
    expect(bumpedAfterMove(moved, 30, limits)).toEqual(['2:60']);
    // Moved only 0 ms: nothing changes. And a booking at or before now is never displaced.
    expect(
      bumpedAfterMove(
        [
          { start: 0, records: 60, member: '1:60' },
          { start: 1_000, records: 60, member: '2:60' },
        ],
        0,
        limits,
      ),
    ).toEqual([]);
    expect(bumpedAfterMove(moved, 1_000, limits)).toEqual([]);
    // A lone oversize request is allowed in its window, as booking allows it.
    expect(
      bumpedAfterMove(
        [
          { start: 30, records: 1, member: '1:1' },
          { start: 1_040, records: 500, member: '2:500' },
        ],
        30,
        limits,
      ),
    ).toEqual([]);
    expect(
      bumpedAfterMove(
        [
          { start: 50, records: 1, member: '1:1' },
          { start: 1_040, records: 500, member: '2:500' },
        ],
        50,
        limits,
      ),
    ).toEqual(['2:500']);
  });

  test('property: after a late send moves its booking and displaces what no longer fits, no window is over a ceiling, and each displaced booking had to go', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 300 }), records: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 60, max: 200 }),
        fc.nat(),
        fc.integer({ min: 0, max: 400 }),
        (calls, requests, records, pick, lateMs) => {
          const l = { requests, records, windowMs: 1_000 };
          const log = bookInTurn(calls, l);
          // One booking's request leaves lateMs after its start; the clock is then at that instant.
          const late = log[pick % log.length] as LoggedEntry;
          const sentAt = late.start + lateMs;
          const after = log.map((e) => (e === late ? { ...e, start: sentAt } : e)).sort(inLogOrder);
          const displaced = bumpedAfterMove(after, sentAt, l);
          const kept = after.filter((e) => !displaced.includes(e.member));
          for (const member of displaced) expect((after.find((e) => e.member === member) as LoggedEntry).start).toBeGreaterThan(sentAt);
          const peak = peakLoad(kept, l.windowMs);
          expect(peak.requests).toBeLessThanOrEqual(requests);
          expect(peak.records).toBeLessThanOrEqual(records);
          for (const member of displaced) {
            const back = peakLoad([...kept, after.find((e) => e.member === member) as LoggedEntry], l.windowMs);
            expect(back.requests > requests || back.records > records).toBe(true);
          }
          if (lateMs === 0) expect(displaced).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: the room at an instant is exactly what one request can carry and start there', () => {
    const l = { requests: 4, records: 100, windowMs: 1_000 };
    fc.assert(
      fc.property(sortedEntries, fc.integer({ min: 0, max: 2_500 }), (entries, at) => {
        const room = roomAt(entries, at, l);
        if (room > 0) expect(earliestStart(entries, room, at, l)).toBe(at);
        if (room < l.records) expect(earliestStart(entries, room + 1, at, l)).toBeGreaterThan(at);
      }),
      { numRuns: 300 },
    );
  });

  test('property: the largest room within a span is exactly the most one request can carry and start in it', () => {
    const l = { requests: 4, records: 100, windowMs: 1_000 };
    fc.assert(
      fc.property(sortedEntries, fc.integer({ min: 0, max: 2_500 }), fc.integer({ min: 0, max: 1_500 }), (entries, from, span) => {
        const room = largestRoom(entries, from, from + span, l);
        expect(room).toBeGreaterThanOrEqual(roomAt(entries, from, l));
        if (room > 0) expect(earliestStart(entries, room, from, l)).toBeLessThanOrEqual(from + span);
        if (room < l.records) expect(earliestStart(entries, room + 1, from, l)).toBeGreaterThan(from + span);
      }),
      { numRuns: 300 },
    );
  });

  test('a chunk leaving the window later in the span frees room that counts, though none is left now', () => {
    const l = { requests: 10, records: 100, windowMs: 1_000 };
    const entries = [
      { start: 0, records: 40 },
      { start: 100, records: 60 },
    ];
    expect(roomAt(entries, 900, l)).toBe(0);
    expect(largestRoom(entries, 900, 1_000, l)).toBe(40);
    expect(largestRoom(entries, 900, 999, l)).toBe(0);
    expect(largestRoom(entries, 900, 1_100, l)).toBe(100);
  });

  test('property: the start is the earliest instant from the lower bound at which the request fits', () => {
    const l = { requests: 4, records: 100, windowMs: 1_000 };
    // Straight from the definition: every window (x - W, x] holding t, i.e. x in [t, t + W), must
    // keep both ceilings; a window's load only rises at a start, so x = t and the later starts suffice.
    const fitsAt = (entries: readonly BookedEntry[], t: number, records: number): boolean => {
      const ends = [t, ...entries.map((e) => e.start).filter((x) => x > t && x < t + l.windowMs)];
      return ends.every((x) => {
        const held = entries.filter((e) => e.start > x - l.windowMs && e.start <= x);
        const sum = held.reduce((total, e) => total + e.records, 0);
        return records > l.records ? held.length === 0 : held.length + 1 <= l.requests && sum + records <= l.records;
      });
    };
    fc.assert(
      fc.property(sortedEntries, fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 2_500 }), (entries, records, lower) => {
        const start = earliestStart(entries, records, lower, l);
        expect(start).toBeGreaterThanOrEqual(lower);
        expect(fitsAt(entries, start, records)).toBe(true);
        for (let t = lower; t < start; t += 1) expect(fitsAt(entries, t, records)).toBe(false);
      }),
      // Each run tries every ms from the lower bound: few runs, still thousands of instants.
      { numRuns: 40 },
    );
  });
});
