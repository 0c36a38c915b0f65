import type { Random } from '../clock.js';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Delay before retry number `attemptsMade` (1 = first retry): capped exponential with full
 * jitter (uniform in [0, min(max, base·2^(n-1)))), but never sooner than the server's
 * Retry-After. Pure: randomness is passed in.
 */
export function retryDelayMs(attemptsMade: number, policy: BackoffPolicy, random: Random, retryAfterMs?: number): number {
  const exponent = Math.max(0, Math.min(attemptsMade - 1, 40));
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jittered = Math.floor(random() * ceiling);
  return Math.max(retryAfterMs ?? 0, jittered);
}
