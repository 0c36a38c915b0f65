import { DateTime } from 'luxon';
import { formatTimeOfDay, type TimeOfDay } from './time-of-day.js';

/**
 * Whether a topic's daily data is up to date. Daily data is owed every day: the Done of data
 * date D is due at `doneBy` on D + 1 in the data time zone (06:00 the next morning by
 * default). A topic owes dates from its first acknowledged incremental_sync_daily Done on;
 * before that it is still onboarding (pre_sync, history) and owes nothing.
 *
 * - off: no expectation (streaming-only topic, or BYTEAIR_DAILY_DONE_BY says off);
 * - not-started: no daily Done acknowledged yet;
 * - on-time: every date due by now is acknowledged;
 * - late: some due date is not; `lagSeconds` counts from the due moment of the oldest.
 */
export type FreshnessState = 'off' | 'not-started' | 'on-time' | 'late';

export interface DailyFreshness {
  readonly state: FreshnessState;
  /** `HH:MM` in the data time zone, or null when off. */
  readonly doneBy: string | null;
  /** The newest date whose Done is due by now; null when nothing is owed. */
  readonly dueThrough: string | null;
  /** Due dates not acknowledged, oldest first (at most MISSING_LISTED of them). */
  readonly missingDates: readonly string[];
  readonly missingCount: number;
  /** Seconds since the oldest missing date's Done was due; 0 unless late. */
  readonly lagSeconds: number;
}

export interface FreshnessInput {
  readonly now: number;
  readonly zone: string;
  readonly doneBy: TimeOfDay | null;
  /** Date of the topic's first acknowledged daily Done (the guard's record), or null. */
  readonly firstDailyDoneDate: string | null;
  /** Every daily date whose Done is acknowledged (`YYYY-MM-DD`). */
  readonly doneDates: ReadonlySet<string>;
}

/** A topic late for months lists its oldest dates, not all of them; the count is exact. */
export const MISSING_LISTED = 31;

/** When the Done of `date` is due: the next day at `doneBy`, in `zone`. Epoch ms. */
export function doneDueAt(date: string, zone: string, doneBy: TimeOfDay): number {
  return DateTime.fromISO(date, { zone }).plus({ days: 1 }).set({ hour: doneBy.hour, minute: doneBy.minute }).toMillis();
}

/** The newest date whose Done is due at `now`. */
export function dueThroughAt(now: number, zone: string, doneBy: TimeOfDay): string {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const yesterday = today.minus({ days: 1 });
  const candidate = now >= doneDueAt(isoDate(yesterday), zone, doneBy) ? yesterday : yesterday.minus({ days: 1 });
  return isoDate(candidate);
}

export function dailyFreshness(input: FreshnessInput): DailyFreshness {
  const base = { missingDates: [], missingCount: 0, lagSeconds: 0 };
  if (input.doneBy === null) return { ...base, state: 'off', doneBy: null, dueThrough: null };
  const doneBy = formatTimeOfDay(input.doneBy);
  if (input.firstDailyDoneDate === null) return { ...base, state: 'not-started', doneBy, dueThrough: null };

  const dueThrough = dueThroughAt(input.now, input.zone, input.doneBy);
  const missing: string[] = [];
  let missingCount = 0;
  const last = DateTime.fromISO(dueThrough, { zone: input.zone });
  for (let day = DateTime.fromISO(input.firstDailyDoneDate, { zone: input.zone }); day <= last; day = day.plus({ days: 1 })) {
    const date = isoDate(day);
    if (input.doneDates.has(date)) continue;
    missingCount += 1;
    if (missing.length < MISSING_LISTED) missing.push(date);
  }
  const oldest = missing[0];
  if (oldest === undefined) return { ...base, state: 'on-time', doneBy, dueThrough };
  const lagSeconds = Math.max(0, Math.floor((input.now - doneDueAt(oldest, input.zone, input.doneBy)) / 1000));
  return { state: 'late', doneBy, dueThrough, missingDates: missing, missingCount, lagSeconds };
}

function isoDate(day: DateTime): string {
  return day.toFormat('yyyy-MM-dd');
}
