import type { LimiterUsage, RateLimiter } from 'byteair-sync/internal/src/limiter/rate-limiter.js';

/**
 * The baseline's stand-in for our global limiter: grants at once and ignores 429 penalties,
 * so the only thing pacing requests is BullMQ's job-count limiter (and the queue pause the
 * processor sets after a 429, which is BullMQ's too).
 */
export const noopLimiter: RateLimiter = {
  // Nothing was booked, so there is nothing to re-account once the request is out.
  acquire: () => Promise.resolve({ waitedMs: 0, startAt: Date.now(), confirmedAt: Date.now(), sent: () => Promise.resolve({ lateMs: 0, displaced: 0 }) }),
  penalize: () => Promise.resolve(),
  observeAnswer: () => Promise.resolve(),
  usage: (): Promise<LimiterUsage> =>
    Promise.resolve({
      requestsInWindow: 0,
      recordsInWindow: 0,
      maxRequestsPerSecond: Number.POSITIVE_INFINITY,
      maxRecordsPerSecond: Number.POSITIVE_INFINITY,
      effectiveRequestsPerSecond: Number.POSITIVE_INFINITY,
      effectiveRecordsPerSecond: Number.POSITIVE_INFINITY,
      ceilingFactor: 1,
      pausedUntil: 0,
      at: Date.now(),
      marginMs: 0,
      pathSpreadMs: 0,
    }),
};
