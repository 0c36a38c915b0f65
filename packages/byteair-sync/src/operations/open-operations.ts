import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import { BatchStore } from '../batches/batch-store.js';
import { RejectedStore } from '../batches/rejected-store.js';
import { RedisStageGuard } from '../guard/stage-guard.js';
import { createCircuitBreaker } from '../limiter/circuit-breaker.js';
import { createRateLimiter } from '../limiter/sliding-window-limiter.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { openProducer, type ProducerHandle } from '../producer/open-producer.js';
import { Keyspace } from '../redis/keyspace.js';
import type { RedisClient } from '../redis/connection.js';
import { StreamIntake } from '../streaming/stream-intake.js';
import { SyncOperations } from './sync-operations.js';

export interface OperationsHandle extends ProducerHandle {
  readonly keys: Keyspace;
  readonly intake: StreamIntake;
  readonly guard: RedisStageGuard;
  readonly operations: SyncOperations;
}

/**
 * Everything an operator-facing process needs (CLI commands, dashboard, HTTP ingest): the
 * producer API, the streaming intake and the operations, on one fail-fast connection.
 */
export function openOperations(config: Config, options: { redis?: RedisClient; clock?: Clock; logger?: Logger } = {}): OperationsHandle {
  const clock = options.clock ?? systemClock;
  const handle = openProducer(config, { ...options, clock });
  const { redis, queues } = handle;
  const keys = new Keyspace(config.redis.prefix);
  const batches = new BatchStore(redis, keys);
  const guard = new RedisStageGuard({ redis, keys, topics: config.topics, uploadQueue: queues.upload, clock, logger: options.logger ?? silentLogger() });
  const operations = new SyncOperations({
    config,
    redis,
    keys,
    queues,
    batches,
    rejected: new RejectedStore(redis, keys),
    guard,
    limiter: createRateLimiter(redis, keys, config.limits),
    circuit: createCircuitBreaker(redis, keys, config.circuit),
    clock,
  });
  const intake = new StreamIntake({ redis, keys, topics: config.topics, cap: config.streaming.intakeCap, maxRequestBytes: config.limits.maxRequestBytes });
  return { ...handle, keys, intake, guard, operations };
}
