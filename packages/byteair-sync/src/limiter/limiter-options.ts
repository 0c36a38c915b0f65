import { DEFAULT_MARGIN_CAP_MS, defaultOf } from '../config/settings.js';
import { LIMITER_PRIORITIES, type LimiterPriority } from './rate-limiter.js';
import type { AimdOptions } from './aimd.js';
import { LimiterOptionError } from './limiter-errors.js';

/**
 * Booking horizon per priority, in ms: how far ahead of Redis "now" a caller of that class may
 * reserve a start. A longer horizon books a freed slot earlier, so it is the priority: with
 * offline pollers saturating (they hold at most 300 ms of reservations), a streaming chunk
 * books the first slot after those, and among pollers daily claims a slot 100 ms before
 * history, history 100 ms before pre_sync.
 */
export const DEFAULT_HORIZONS_MS: Readonly<Record<LimiterPriority, number>> = Object.freeze({
  streaming: 1000,
  done: 1000,
  daily: 300,
  history: 200,
  pre_sync: 100,
});

export interface RateLimiterOptions {
  /** Requests per window, across every process. Default: BYTEAIR_MAX_REQUESTS_PER_SECOND's (config/settings.ts). */
  readonly maxRequestsPerSecond: number;
  /** Records per window, across every process. Default: BYTEAIR_MAX_RECORDS_PER_SECOND's. */
  readonly maxRecordsPerSecond: number;
  /**
   * Floor of the margin added to the 1-second window, which absorbs the spread between the
   * times the log holds and the API's stamps. The margin in use follows the measured spread
   * of the path (path-spread.ts) up to marginCapMs. Default: BYTEAIR_LIMITER_MARGIN_MS's.
   */
  readonly marginMs: number;
  /** Default: DEFAULT_MARGIN_CAP_MS (config/settings.ts), or marginMs if larger. */
  readonly marginCapMs: number;
  readonly horizonsMs: Readonly<Record<LimiterPriority, number>>;
  readonly aimd: AimdOptions;
  /**
   * A booking whose holder reaches Redis more than this many ms after its start (event-loop
   * lag, GC) is dropped and booked again instead of sent that late. (A request that still
   * leaves late is re-timed in the log as it leaves, see LimiterGrantInfo.sent.)
   * @default max(1, floor(marginMs / 2))
   */
  readonly lateToleranceMs: number;
}

export interface RateLimiterSettings {
  readonly maxRequestsPerSecond?: number;
  readonly maxRecordsPerSecond?: number;
  readonly marginMs?: number;
  readonly marginCapMs?: number;
  readonly horizonsMs?: Partial<Record<LimiterPriority, number>>;
  readonly aimd?: Partial<AimdOptions>;
  readonly lateToleranceMs?: number;
}

/** The ceilings and the margin come from config/settings.ts; the AIMD constants are the limiter's own. */
export const LIMITER_DEFAULTS = Object.freeze({
  maxRequestsPerSecond: defaultOf('maxRequestsPerSecond'),
  maxRecordsPerSecond: defaultOf('maxRecordsPerSecond'),
  marginMs: defaultOf('limiterMarginMs'),
  marginCapMs: DEFAULT_MARGIN_CAP_MS,
  decrease: 0.5,
  floor: 0.05,
  recoveryPerSecond: 0.05,
  fastRecoveryPerSecond: 2,
  calmMs: 30_000,
});

/** The sliding window at the floor of the margin: one second plus marginMs. */
export function windowMs(options: Pick<RateLimiterOptions, 'marginMs'>): number {
  return 1000 + options.marginMs;
}

/** Fills defaults and validates everything once, before the first booking; the result is frozen. */
export function resolveLimiterOptions(settings: RateLimiterSettings = {}): RateLimiterOptions {
  const marginMs = integer('marginMs', settings.marginMs ?? LIMITER_DEFAULTS.marginMs, 0, 10_000);
  const marginCapMs = integer('marginCapMs', settings.marginCapMs ?? Math.max(marginMs, LIMITER_DEFAULTS.marginCapMs), marginMs, 10_000);
  const horizons = {} as Record<LimiterPriority, number>;
  for (const priority of LIMITER_PRIORITIES) {
    horizons[priority] = integer(`horizonsMs.${priority}`, settings.horizonsMs?.[priority] ?? DEFAULT_HORIZONS_MS[priority], 0, 60_000);
  }
  for (const key of Object.keys(settings.horizonsMs ?? {})) {
    if (!(LIMITER_PRIORITIES as readonly string[]).includes(key))
      throw new LimiterOptionError(`horizonsMs.${key}`, key, `unknown priority; expected one of ${LIMITER_PRIORITIES.join(', ')}`);
  }
  const aimd: AimdOptions = {
    decrease: fraction('aimd.decrease', settings.aimd?.decrease ?? LIMITER_DEFAULTS.decrease, false),
    floor: fraction('aimd.floor', settings.aimd?.floor ?? LIMITER_DEFAULTS.floor, true),
    recoveryPerSecond: finite('aimd.recoveryPerSecond', settings.aimd?.recoveryPerSecond ?? LIMITER_DEFAULTS.recoveryPerSecond, 0, 1_000),
    holdMs: integer('aimd.holdMs', settings.aimd?.holdMs ?? 1000 + marginMs, 0, 3_600_000),
    fastRecoveryPerSecond: finite('aimd.fastRecoveryPerSecond', settings.aimd?.fastRecoveryPerSecond ?? LIMITER_DEFAULTS.fastRecoveryPerSecond, 0, 1_000),
    calmMs: integer('aimd.calmMs', settings.aimd?.calmMs ?? LIMITER_DEFAULTS.calmMs, 0, 86_400_000),
  };
  return Object.freeze({
    maxRequestsPerSecond: integer('maxRequestsPerSecond', settings.maxRequestsPerSecond ?? LIMITER_DEFAULTS.maxRequestsPerSecond, 1, 1_000_000),
    maxRecordsPerSecond: integer('maxRecordsPerSecond', settings.maxRecordsPerSecond ?? LIMITER_DEFAULTS.maxRecordsPerSecond, 1, 1_000_000_000),
    marginMs,
    marginCapMs,
    horizonsMs: Object.freeze(horizons),
    aimd: Object.freeze(aimd),
    lateToleranceMs: integer('lateToleranceMs', settings.lateToleranceMs ?? Math.max(1, Math.floor(marginMs / 2)), 1, 10_000),
  });
}

/** Records carried by one request: a whole number, 0 for calls without records (Done). */
export function validateRecordCount(records: unknown): number {
  if (typeof records !== 'number' || !Number.isSafeInteger(records) || records < 0) {
    throw new LimiterOptionError('records', records, 'must be a whole number ≥ 0');
  }
  return records;
}

export function validatePriority(priority: unknown): LimiterPriority {
  if (typeof priority !== 'string' || !(LIMITER_PRIORITIES as readonly string[]).includes(priority)) {
    throw new LimiterOptionError('priority', priority, `must be one of ${LIMITER_PRIORITIES.join(', ')}`);
  }
  return priority as LimiterPriority;
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new LimiterOptionError(name, value, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function finite(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new LimiterOptionError(name, value, `must be a number from ${min} to ${max}`);
  }
  return value;
}

/** A number in (0, 1), or (0, 1] when `allowOne`. */
function fraction(name: string, value: unknown, allowOne: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1 || (!allowOne && value === 1)) {
    throw new LimiterOptionError(name, value, allowOne ? 'must be greater than 0 and at most 1' : 'must be strictly between 0 and 1');
  }
  return value;
}
