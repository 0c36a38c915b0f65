import { createHash } from 'node:crypto';

/**
 * Request-Ids are derived from what a request carries, never from the attempt
 * (DESIGN.md invariant 2): retries, stalled re-runs and replays resend the same id, so the
 * API's 409 means "already applied". They double as BullMQ job ids, which must not contain
 * ':' nor be all digits; 32 hex digits keep them short, as the API asks.
 */
function digest(parts: ReadonlyArray<string | number | null>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    // Length-prefixed, so ('ab','c') and ('a','bc') never collide.
    const text = part === null ? '\u0000' : String(part);
    hash.update(`${text.length}:${text};`);
  }
  return hash.digest('hex').slice(0, 32);
}

/** An offline chunk: identified by its content, so adding the same records again is a no-op. */
export function offlineWriteRequestId(applicationId: string, topic: string, stage: string, date: string, contentSha256: string): string {
  return `w-${digest(['write', applicationId, topic, stage, date, contentSha256])}`;
}

/** A streaming chunk: identified by the intake positions it covers. */
export function streamingWriteRequestId(applicationId: string, topic: string, firstEntry: string, lastEntry: string): string {
  return `s-${digest(['stream', applicationId, topic, firstEntry, lastEntry])}`;
}

/** The one Done of a (topic, stage, date). */
export function doneRequestId(applicationId: string, topic: string, stage: string, date: string): string {
  return `d-${digest(['done', applicationId, topic, stage, date])}`;
}
