import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Clock } from '../clock.js';
import { batchIdOf, type BatchRef } from '../batches/batch-id.js';
import type { BatchStatus, BatchStore } from '../batches/batch-store.js';
import type { BlobStore } from '../batches/blob-store.js';
import { chunkRecords, type ChunkLimits } from '../batches/chunker.js';
import type { RejectedStore, StoredRejection } from '../batches/rejected-store.js';
import { BatchClosedError } from '../batches/batch-errors.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { JOB_DATA_VERSION, type WriteJobData } from '../queue/job-data.js';
import { offlineWriteRequestId } from '../queue/request-id.js';
import type { SyncEnqueuer } from '../queue/sync-enqueuer.js';

const gzipAsync = promisify(gzip);

export interface AddProgress {
  readonly records: number;
  readonly chunks: number;
  readonly bytes: number;
}

export interface AddResult extends AddProgress {
  /** Chunks this call created; the rest were already in the batch (the same records added again). */
  readonly newChunks: number;
}

export interface SealResult {
  readonly state: BatchStatus['state'];
  /** True when this seal made the Done due (every chunk was already settled). */
  readonly doneQueued: boolean;
}

export interface OfflineBatchDeps {
  readonly applicationId: string;
  readonly batches: BatchStore;
  readonly blobs: BlobStore;
  readonly enqueuer: SyncEnqueuer;
  readonly rejected: RejectedStore;
  readonly clock: Clock;
  readonly limits: ChunkLimits;
}

/**
 * One (topic, stage, date) of offline data: add records, then seal. Every resolved add()
 * means its records are in Redis (blob + registered chunk + job); adding the same records
 * again makes the same chunks and Request-Ids, so it is a no-op.
 */
export class OfflineBatch {
  readonly ref: BatchRef;
  readonly batchId: string;
  readonly #deps: OfflineBatchDeps;

  constructor(ref: BatchRef, deps: OfflineBatchDeps) {
    this.ref = ref;
    this.batchId = batchIdOf(ref);
    this.#deps = deps;
  }

  async add(records: Iterable<unknown> | AsyncIterable<unknown>, onProgress?: (progress: AddProgress) => void): Promise<AddResult> {
    const deps = this.#deps;
    let total = { records: 0, chunks: 0, bytes: 0 };
    let newChunks = 0;
    for await (const chunk of chunkRecords(records, deps.limits)) {
      const requestId = offlineWriteRequestId(deps.applicationId, this.ref.topic, this.ref.stage, this.ref.date, chunk.sha256);
      const body = await gzipAsync(chunk.json);
      // Blob first, then registration (which checks the batch is open), then the job: a crash
      // between any two leaves nothing a retry of the same add() would not complete.
      const blobKey = await deps.blobs.put(requestId, body);
      let outcome;
      try {
        outcome = await deps.batches.registerChunk(this.batchId, { requestId, blobKey, records: chunk.records, bytes: chunk.bytes });
      } catch (error) {
        if (error instanceof BatchClosedError) await deps.blobs.delete(blobKey);
        throw error;
      }
      if (outcome === 'settled') {
        // Uploaded long ago (and its blob deleted after); the stored copy is not needed.
        await deps.blobs.delete(blobKey);
      } else {
        const data: WriteJobData = {
          v: JOB_DATA_VERSION,
          kind: 'write',
          topic: this.ref.topic,
          stage: this.ref.stage,
          date: this.ref.date,
          requestId,
          blobKey,
          records: chunk.records,
          bytes: chunk.bytes,
          batchId: this.batchId,
          enqueuedAt: deps.clock.now(),
        };
        await deps.enqueuer.addWrites([data]);
      }
      if (outcome === 'new') newChunks += 1;
      total = { records: total.records + chunk.records, chunks: total.chunks + 1, bytes: total.bytes + chunk.bytes };
      onProgress?.(total);
    }
    if (total.records === 0) throw new InvalidInputError('records', [], 'is empty; a batch add needs at least one record');
    return { ...total, newChunks };
  }

  /** No more records for this date; the Done goes out once every chunk is settled. */
  async seal(): Promise<SealResult> {
    const { state, doneDue } = await this.#deps.batches.seal(this.batchId, this.#deps.clock.now());
    if (doneDue) await this.#deps.enqueuer.addDone(this.ref);
    return { state, doneQueued: doneDue };
  }

  async status(): Promise<BatchStatus | null> {
    return await this.#deps.batches.status(this.batchId);
  }

  /** Records the API refused (1001 answers), with the server's reasons. */
  async rejected(): Promise<StoredRejection[]> {
    return await this.#deps.rejected.list(this.batchId);
  }
}
