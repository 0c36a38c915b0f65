import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { RedisClient } from '../redis/connection.js';
import type { SyncQueues } from '../queue/sync-enqueuer.js';
import { openSyncGraph, PRODUCER_CONNECTION, type SyncGraph } from '../wiring/sync-graph.js';
import { SyncProducer } from './sync-producer.js';

export interface ProducerHandle {
  readonly producer: SyncProducer;
  readonly queues: SyncQueues;
  readonly redis: RedisClient;
  close(): Promise<void>;
}

/** The producer role: offline batches on the graph's stores and queues. It holds nothing of its own to release. */
export function producerOn(graph: SyncGraph): SyncProducer {
  return new SyncProducer({
    config: graph.config,
    applicationId: graph.applicationId,
    batches: graph.batches,
    blobs: graph.blobs,
    enqueuer: graph.enqueuer,
    rejected: graph.rejected,
    clock: graph.clock,
  });
}

/** A producer for one process: its own fail-fast Redis connection (unless one is shared) and the sync queues. */
export function openProducer(config: Config, options: { redis?: RedisClient; clock?: Clock } = {}): ProducerHandle {
  const graph = openSyncGraph(config, PRODUCER_CONNECTION, options);
  return { producer: producerOn(graph), queues: graph.queues, redis: graph.redis, close: async () => await graph.close() };
}
