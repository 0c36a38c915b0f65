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
