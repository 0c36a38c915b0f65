import type { Random } from 'byteair-sync/internal/src/clock.js';
import { InvalidInputError } from 'byteair-sync/internal/src/errors/invalid-input-error.js';
import type { PathDelays } from './network-model.js';
import { parseOddAnswer, type OddAnswer } from './odd-answers.js';
import { parseRecordRejectionRules, type RecordRejectionRule } from './record-rules.js';

/**
 * Failures the emulator injects into API requests (never into the admin endpoint), set at
 * start-up and changed at run time. One random draw per request picks at most one of the
 * probabilistic faults, so the probabilities must add up to 1 or less.
 */
export interface Faults extends PathDelays {
  /** Added to every answer, in milliseconds (after the API's work; see also outDelayMs). */
  readonly latencyMs: number;
  /** Up to this many more milliseconds, uniformly at random. */
  readonly jitterMs: number;
  /** Probability of an HTTP 500. */
  readonly p500: number;
  /** Probability of an HTTP 503. */
  readonly p503: number;
  /** Probability of holding the request unanswered for `hangMs` (or until the client gives up). */
  readonly pHang: number;
  /** Probability of resetting the connection instead of answering. */
  readonly pReset: number;
  readonly hangMs: number;
  /**
   * When true, a 500/503/hang/reset strikes after the request was applied: the answer is
   * lost, not the data, which is what a retry with the same Request-Id must survive (409).
   */
  readonly afterApply: boolean;
  /** Records matching a rule come back in a 1001 answer and are not accepted. */
  readonly recordRejections: readonly RecordRejectionRule[];
  /**
   * An answer no SDK defines (odd-answers.ts), given to every API request instead of the real
   * one (after applying it when `afterApply`); null for none. Probabilistic faults come after.
   */
  readonly oddAnswer: OddAnswer | null;
  /** How many requests get `oddAnswer` from the time it is set; 0 = all, until it is changed. */
  readonly oddAnswerTimes: number;
}

export type FaultsPatch = Partial<Faults>;

export const NO_FAULTS: Faults = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  inDelayMs: 0,
  inJitterMs: 0,
  outDelayMs: 0,
  outJitterMs: 0,
  p500: 0,
  p503: 0,
  pHang: 0,
  pReset: 0,
  hangMs: 60_000,
  afterApply: false,
  recordRejections: Object.freeze([]),
  oddAnswer: null,
  oddAnswerTimes: 0,
});

export type FaultAction = 'none' | 'http500' | 'http503' | 'hang' | 'reset';

const NUMBER_LIMITS: Readonly<Record<string, readonly [number, number]>> = {
  latencyMs: [0, 600_000],
  jitterMs: [0, 600_000],
  inDelayMs: [0, 60_000],
  inJitterMs: [0, 60_000],
  outDelayMs: [0, 60_000],
  outJitterMs: [0, 60_000],
  hangMs: [0, 3_600_000],
  p500: [0, 1],
  p503: [0, 1],
  pHang: [0, 1],
  pReset: [0, 1],
  oddAnswerTimes: [0, 1_000_000_000],
};

const KEYS = new Set<string>(Object.keys(NO_FAULTS));

/** Validates a patch (from code or from the admin endpoint's JSON) and merges it into `base`. */
export function mergeFaults(base: Faults, patch: unknown, path = 'faults'): Faults {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new InvalidInputError(path, patch, 'must be an object');
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!KEYS.has(key)) throw new InvalidInputError(`${path}.${key}`, value, `unknown fault; known: ${[...KEYS].join(', ')}`);
    const limits = NUMBER_LIMITS[key];
    if (limits !== undefined) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < limits[0] || value > limits[1]) {
        throw new InvalidInputError(`${path}.${key}`, value, `must be a number from ${limits[0]} to ${limits[1]}`);
      }
      if (key === 'oddAnswerTimes' && !Number.isInteger(value)) throw new InvalidInputError(`${path}.${key}`, value, 'must be a whole number');
      merged[key] = value;
    } else if (key === 'oddAnswer') {
      merged[key] = parseOddAnswer(value, `${path}.${key}`);
    } else if (key === 'afterApply') {
      if (typeof value !== 'boolean') throw new InvalidInputError(`${path}.${key}`, value, 'must be true or false');
      merged[key] = value;
    } else {
      merged[key] = parseRecordRejectionRules(value, `${path}.${key}`);
    }
  }
  const faults = merged as unknown as Faults;
  const total = faults.p500 + faults.p503 + faults.pHang + faults.pReset;
  if (total > 1 + 1e-9) throw new InvalidInputError(`${path}.p500+p503+pHang+pReset`, total, 'the fault probabilities must add up to at most 1');
  return Object.freeze(faults);
}

/** One draw decides the fault of one request. */
export function drawFault(faults: Faults, random: Random): FaultAction {
  if (faults.p500 + faults.p503 + faults.pHang + faults.pReset === 0) return 'none';
  const r = random();
  let band = faults.p500;
  if (r < band) return 'http500';
  if (r < (band += faults.p503)) return 'http503';
  if (r < (band += faults.pHang)) return 'hang';
  if (r < band + faults.pReset) return 'reset';
  return 'none';
}

export function drawLatencyMs(faults: Faults, random: Random): number {
  return faults.latencyMs + (faults.jitterMs > 0 ? random() * faults.jitterMs : 0);
}
