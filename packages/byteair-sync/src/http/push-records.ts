import { IdempotencyKeyReusedError, IntakeFullError } from '../streaming/intake-errors.js';
import { PUSH_GROUP, type PushResult, type StreamIntake } from '../streaming/stream-intake.js';
import type { JsonObject } from './record-body.js';

/**
 * Pushes already-checked records in groups of PUSH_GROUP (each group one atomic append), so
 * only one group is held in memory beside the body. `fingerprint` identifies the body for
 * its Idempotency-Key (pushFingerprint of the raw body and its format). When the intake fills part-way, the
 * error counts every record this request got in, so the caller resends only the rest.
 */
export async function pushRecords(
  intake: Pick<StreamIntake, 'push'>,
  topic: string,
  records: Iterable<JsonObject> | AsyncIterable<JsonObject>,
  request: { idempotencyKey?: string; fingerprint: string },
): Promise<PushResult> {
  const { idempotencyKey, fingerprint } = request;
  let accepted = 0;
  let lastEntry = '';
  let group: JsonObject[] = [];
  let groups = 0;
  const flush = async (): Promise<void> => {
    try {
      // Each group has its own key under the caller's, so a retried request skips what it already
      // stored; every group carries the whole body's fingerprint, so a reused key with another
      // body is refused at its first group, before anything is appended.
      const key = idempotencyKey === undefined ? {} : { idempotencyKey: `${idempotencyKey}/${groups}`, fingerprint };
      groups += 1;
      const result = await intake.push(topic, group, 'records', key);
      accepted += result.accepted;
      lastEntry = result.lastEntry;
    } catch (error) {
      if (error instanceof IntakeFullError) throw new IntakeFullError(error.topic, error.cap, accepted + error.accepted);
      if (error instanceof IdempotencyKeyReusedError) throw new IdempotencyKeyReusedError(idempotencyKey ?? error.idempotencyKey, accepted + error.accepted);
      throw error;
    }
    group = [];
  };
  for await (const record of records) {
    group.push(record);
    if (group.length === PUSH_GROUP) await flush();
  }
  if (group.length > 0) await flush();
  return { accepted, lastEntry };
}
