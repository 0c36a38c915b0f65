import { ByteairSyncError } from '../errors/byteair-sync-error.js';

/** The topic's intake holds its cap: the push is refused whole (nothing dropped, nothing half-taken). */
export class IntakeFullError extends ByteairSyncError {
  readonly code = 'INTAKE_FULL';
  constructor(
    readonly topic: string,
    readonly cap: number,
    readonly accepted: number,
  ) {
    super(
      `streaming intake of topic "${topic}" is full (BYTEAIR_STREAM_INTAKE_CAP=${cap}); ${accepted} record(s) of this push were accepted before it filled, the rest were not; retry them later`,
      { topic, cap, accepted },
    );
  }
}

/**
 * An idempotency key came back with a different request (another body, or other records)
 * than the one it was first used for. Nothing of this request was stored; it is refused
 * rather than answered as a replay, which would acknowledge records that are not stored.
 */
export class IdempotencyKeyReusedError extends ByteairSyncError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(
    readonly idempotencyKey: string,
    readonly accepted: number,
  ) {
    super(
      `Idempotency-Key "${idempotencyKey}" was already used for a different request within 24 h; ${accepted > 0 ? `only the first ${accepted} record(s) of this request were stored` : 'nothing of this request was stored'}. Use a new key for new records, and the same key only to resend the same request`,
      { idempotencyKey, accepted },
    );
  }
}
