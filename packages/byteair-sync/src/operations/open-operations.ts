import type { BatchStore } from '../batches/batch-store.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { RedisStageGuard } from '../guard/stage-guard.js';
import type { Logger } from '../observability/logger.js';
import { producerOn, type ProducerHandle } from '../producer/open-producer.js';
import type { Keyspace } from '../redis/keyspace.js';
import type { RedisClient } from '../redis/connection.js';
import { StreamIntake } from '../streaming/stream-intake.js';
import { openSyncGraph, PRODUCER_CONNECTION, type SyncGraph } from '../wiring/sync-graph.js';
import { SyncOperations } from './sync-operations.js';

export interface OperationsHandle extends ProducerHandle {
  readonly keys: Keyspace;
  readonly batches: BatchStore;
  readonly intake: StreamIntake;
  readonly guard: RedisStageGuard;
  readonly operations: SyncOperations;
}

/** The operations role (status, replay, pause, rejected records) on the graph's stores, limiter and circuit. */
export function operationsOn(graph: SyncGraph): SyncOperations {
  return new SyncOperations({
    config: graph.config,
    redis: graph.redis,
    keys: graph.keys,
    queues: graph.queues,
    batches: graph.batches,
    rejected: graph.rejected,
    guard: graph.guard,
    limiter: graph.limiter,
    circuit: graph.circuit,
    clock: graph.clock,
  });
}

/** The streaming intake role: records pushed into the per-topic intake for the batcher. */
export function intakeOn(graph: SyncGraph): StreamIntake {
  const { config } = graph;
  return new StreamIntake({
    redis: graph.redis,
    keys: graph.keys,
    topics: config.topics,
    cap: config.streaming.intakeCap,
    maxRequestBytes: config.limits.maxRequestBytes,
  });
}

/**
 * Everything an operator-facing process needs (CLI commands, dashboard, HTTP ingest): the
 * producer API, the streaming intake and the operations, on one fail-fast connection.
 */
export function openOperations(config: Config, options: { redis?: RedisClient; clock?: Clock; logger?: Logger } = {}): OperationsHandle {
  const graph = openSyncGraph(config, PRODUCER_CONNECTION, options);
  return {
    producer: producerOn(graph),
    queues: graph.queues,
    redis: graph.redis,
    keys: graph.keys,
    batches: graph.batches,
    intake: intakeOn(graph),
    guard: graph.guard,
    operations: operationsOn(graph),
    close: async () => await graph.close(),
  };
}
