import type { BatchStore } from '../batches/batch-store.js';
import type { Logger } from '../observability/logger.js';
import type { SyncEnqueuer } from '../queue/sync-enqueuer.js';

/**
 * Safety net for "a worker died between settling the last chunk and adding the Done job":
 * every batch in done-due gets its Done job (re)added. Job ids are deterministic, so for a
 * batch whose Done job exists this is a no-op.
 */
export async function reconcileDoneJobs(batches: BatchStore, enqueuer: SyncEnqueuer, logger: Logger): Promise<number> {
  let added = 0;
  for (const batchId of await batches.doneDueBatchIds()) {
    const status = await batches.status(batchId);
    if (status?.state !== 'done-due') continue;
    await enqueuer.addDone({ topic: status.topic, stage: status.stage, date: status.date });
    added += 1;
  }
  if (added > 0) logger.debug({ batches: added }, 'reconciled Done jobs');
  return added;
}
