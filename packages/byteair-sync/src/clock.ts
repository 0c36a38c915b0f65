/**
 * The one source of "now" for policy code. Production passes `systemClock`; tests pass a
 * fixed or stepping clock so time-dependent decisions are reproducible.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export function fixedClock(epochMs: number): Clock {
  return { now: () => epochMs };
}

/** Source of randomness for policy code (jitter, host choice, nonces); injectable like the clock. */
export type Random = () => number;
