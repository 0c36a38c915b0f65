import { ByteairSyncError } from '../errors/byteair-sync-error.js';

/** A process declared a topic mode that contradicts how the topic already streamed. */
export class ModeChangeRefusedError extends ByteairSyncError {
  readonly code = 'MODE_CHANGE_REFUSED';
}
