import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { BatchStatus, BatchStore } from '../batches/batch-store.js';
import type { BlobStore } from '../batches/blob-store.js';
import { BatchClosedError } from '../batches/batch-errors.js';
import type { RejectedStore } from '../batches/rejected-store.js';
import type { SyncEnqueuer } from '../queue/sync-enqueuer.js';
import { assertStageAllowedForTopic, parseDataDate, parseOfflineStage, parseTopic } from '../validation/sync-target.js';
import { OfflineBatch } from './offline-batch.js';

export interface SyncProducerDeps {
  readonly config: Config;
  readonly applicationId: string;
  readonly batches: BatchStore;
  readonly blobs: BlobStore;
  readonly enqueuer: SyncEnqueuer;
  readonly rejected: RejectedStore;
  readonly clock: Clock;
}

/**
 * The producer API: where backend code hands records over. Everything it is given is
 * checked here, at the edge (DESIGN.md invariant 9), so no job is ever created that fails
 * later for a reason visible now.
 */
export class SyncProducer {
  readonly #deps: SyncProducerDeps;

  constructor(deps: SyncProducerDeps) {
    this.#deps = deps;
  }

  /** Opens (or re-opens, while it is still open) the batch of one (topic, stage, date). */
  async batch(topic: string, stage: string, date: string): Promise<OfflineBatch> {
    const { config, clock } = this.#deps;
    const topicConfig = parseTopic(topic, config.topics);
    const offlineStage = parseOfflineStage(stage);
    assertStageAllowedForTopic(topicConfig, offlineStage);
    const dataDate = parseDataDate(date, config.dateZone, clock);
    const ref = { topic: topicConfig.name, stage: offlineStage, date: dataDate };
    const batch = new OfflineBatch(ref, {
      applicationId: this.#deps.applicationId,
      batches: this.#deps.batches,
      blobs: this.#deps.blobs,
      enqueuer: this.#deps.enqueuer,
      rejected: this.#deps.rejected,
      clock,
      limits: { maxRecords: config.limits.maxRecordsPerRequest, maxBytes: config.limits.maxRequestBytes },
    });
    const state = await this.#deps.batches.open(ref, clock.now());
    if (state !== 'open') throw new BatchClosedError(batch.batchId, state);
    return batch;
  }

  /** Status of every batch, newest first. */
  async batches(limit = 1000): Promise<BatchStatus[]> {
    const ids = await this.#deps.batches.list(limit);
    const statuses = await Promise.all(ids.map(async (id) => await this.#deps.batches.status(id)));
    return statuses.filter((s): s is BatchStatus => s !== null);
  }
}
