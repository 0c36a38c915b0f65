import { ByteairSyncError } from '../errors/byteair-sync-error.js';
import type { BatchState } from './batch-state.js';

/** Records were offered to a batch that no longer takes them (sealed, or its Done is sent). */
export class BatchClosedError extends ByteairSyncError {
  readonly code = 'BATCH_CLOSED';
  constructor(
    readonly batchId: string,
    readonly state: BatchState,
  ) {
    super(
      state === 'sealed'
        ? `batch ${batchId} is sealed: records can only be added while it is open`
        : `batch ${batchId} is closed (${state}): its Done was already sent, so this date takes no more data`,
      { batchId, state },
    );
  }
}

/** seal() on a batch that holds no records: a Done for no data is refused at the edge. */
export class EmptyBatchError extends ByteairSyncError {
  readonly code = 'BATCH_EMPTY';
  constructor(readonly batchId: string) {
    super(`batch ${batchId} holds no records; add records before sealing it`, { batchId });
  }
}

export class BatchNotFoundError extends ByteairSyncError {
  readonly code = 'BATCH_NOT_FOUND';
  constructor(readonly batchId: string) {
    super(`batch ${batchId} does not exist; open it first`, { batchId });
  }
}
