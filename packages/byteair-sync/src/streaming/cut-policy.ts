/**
 * When the streaming batcher cuts the intake into an upload chunk, and how big. Pure.
 *
 * - Nothing is cut while the stage guard holds the topic (the intake is the held backlog).
 * - Nothing is cut while `maxInFlight` chunks of the topic are still waiting to be accepted:
 *   the API is behind (limiter saturated, outage), so records keep collecting in the intake.
 * - Otherwise a chunk is cut once `batchSize` records wait or the oldest has waited
 *   `maxWaitMs`. It takes everything waiting, up to `maxRecordsPerRequest`: after a hold or
 *   an outage the backlog drains in full-size requests, at full speed.
 */
export interface IntakeSnapshot {
  /** Records pushed and not cut yet. */
  readonly uncut: number;
  /** Age of the oldest uncut record, ms (0 when none). */
  readonly oldestAgeMs: number;
  /** Chunks cut and not yet accepted by the API. */
  readonly inFlight: number;
  readonly held: boolean;
}

export interface CutPolicy {
  readonly batchSize: number;
  readonly maxWaitMs: number;
  readonly maxRecordsPerRequest: number;
  readonly maxInFlight: number;
}

export type CutDecision =
  | { readonly kind: 'cut'; readonly records: number }
  /** Check again after `ms` (or earlier, when woken). */
  | { readonly kind: 'wait'; readonly ms: number; readonly why: 'idle' | 'filling' | 'held' | 'behind' };

export function decideCut(snapshot: IntakeSnapshot, policy: CutPolicy, idleMs: number): CutDecision {
  if (snapshot.held) return { kind: 'wait', ms: idleMs, why: 'held' };
  if (snapshot.uncut === 0) return { kind: 'wait', ms: idleMs, why: 'idle' };
  if (snapshot.inFlight >= policy.maxInFlight) return { kind: 'wait', ms: idleMs, why: 'behind' };
  if (snapshot.uncut >= policy.batchSize || snapshot.oldestAgeMs >= policy.maxWaitMs) {
    return { kind: 'cut', records: Math.min(snapshot.uncut, policy.maxRecordsPerRequest) };
  }
  return { kind: 'wait', ms: Math.max(1, Math.min(idleMs, policy.maxWaitMs - snapshot.oldestAgeMs)), why: 'filling' };
}
