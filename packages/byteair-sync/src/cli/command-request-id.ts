import { createHash } from 'node:crypto';
import { doneRequestId, offlineWriteRequestId } from '../queue/request-id.js';

/**
 * Request-Ids of the direct `write` and `done` commands: derived from what the call carries,
 * so running the same command twice sends the same id and the API's 409 says "already
 * applied" (DESIGN.md invariant 2). Where the pipeline has an id for the same content (an
 * offline chunk, a one-date Done) the command uses that very id, so a manual call and the
 * pipeline never apply the same records twice either.
 */
export function writeCommandRequestId(applicationId: string, topic: string, stage: string, date: string | undefined, contentSha256: string): string {
  if (date !== undefined) return offlineWriteRequestId(applicationId, topic, stage, date, contentSha256);
  // Streaming chunks of the pipeline are named by intake position; a file has none.
  return `m-${digest(['write', applicationId, topic, stage, contentSha256])}`;
}

export function doneCommandRequestId(applicationId: string, topic: string, stage: string, dates: readonly string[]): string {
  const [only] = dates;
  if (dates.length === 1 && only !== undefined) return doneRequestId(applicationId, topic, stage, only);
  // Sorted: the same set of dates in another order is the same request.
  return `m-${digest(['done', applicationId, topic, stage, ...[...dates].sort()])}`;
}

/** 32 hex digits, like the pipeline's ids (short, as the API asks). JSON keeps the parts apart. */
function digest(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}
