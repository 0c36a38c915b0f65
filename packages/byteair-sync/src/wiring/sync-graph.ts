import { Queue } from 'bullmq';
import { systemClock, type Clock, type Random } from '../clock.js';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { BatchStore } from '../batches/batch-store.js';
import { RedisBlobStore } from '../batches/blob-store.js';
import { RejectedStore } from '../batches/rejected-store.js';
import { RedisStageGuard } from '../guard/stage-guard.js';
import { createCircuitBreaker, type RedisCircuitBreaker } from '../limiter/circuit-breaker.js';
import { createRateLimiter, type RedisRateLimiter } from '../limiter/sliding-window-limiter.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { RedisSyncMetrics } from '../observability/redis-sync-metrics.js';
import { SyncEnqueuer, type SyncQueues } from '../queue/sync-enqueuer.js';
import { DONE_QUEUE, UPLOAD_QUEUE } from '../queue/sync-queue.js';
import { closeRedis, createRedis, type ConnectionRole, type RedisClient } from '../redis/connection.js';
import { Keyspace } from '../redis/keyspace.js';
import { RedisStreamSettlement } from '../streaming/stream-settlement.js';

/** The connection a graph opens when none is shared with it. */
export interface GraphConnection {
  readonly role: ConnectionRole;
  /** CLIENT SETNAME, so an operator can tell the processes apart in CLIENT LIST. */
  readonly name: string;
}

/** Producers, operator commands, the dashboard and HTTP ingest: fail fast so the caller hears about an outage. */
export const PRODUCER_CONNECTION: GraphConnection = { role: 'producer', name: 'byteair-producer' };

/** What a caller may supply instead of the defaults (tests, an embedding application). */
export interface SyncGraphOverrides {
  /** A connection to share: the graph uses it and leaves closing it to its owner. */
  readonly redis?: RedisClient;
  readonly clock?: Clock;
  readonly random?: Random;
  /** Default: silent. */
  readonly logger?: Logger;
}

/**
 * The objects every role of a process shares: one connection, one keyspace, the two queues
 * and the stores, guard, limiter, circuit and metrics on them. Roles (producer, operations,
 * workers, dashboard) are started on a graph instead of each wiring its own copies.
 */
export interface SyncGraph {
  readonly config: Config;
  readonly applicationId: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly redis: RedisClient;
  readonly keys: Keyspace;
  readonly queues: SyncQueues;
  readonly enqueuer: SyncEnqueuer;
  readonly batches: BatchStore;
  readonly blobs: RedisBlobStore;
  readonly rejected: RejectedStore;
  readonly guard: RedisStageGuard;
  readonly limiter: RedisRateLimiter;
  readonly circuit: RedisCircuitBreaker;
  readonly metrics: RedisSyncMetrics;
  readonly streams: RedisStreamSettlement;
  /** The graph's releaser: closes the queues, then the connection if the graph opened it. */
  close(): Promise<void>;
}

/** Request-Ids are derived from the application id, so every role needs it, even without credentials. */
export function requireApplicationId(config: Config): string {
  const id = config.api.applicationId;
  if (id === undefined) throw new ConfigError('BYTEAIR_APPLICATION_ID', 'nothing', 'is required: Request-Ids are derived from it', 'environment');
  return id;
}

/**
 * Builds the shared graph from the config. Checks the config before it opens anything, and
 * opens nothing but the connection (when none is shared) and the queues on it; the rest
 * only holds references until a role uses it.
 */
export function openSyncGraph(config: Config, connection: GraphConnection, overrides: SyncGraphOverrides = {}): SyncGraph {
  const applicationId = requireApplicationId(config);
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? silentLogger();
  const ownsRedis = overrides.redis === undefined;
  const redis = overrides.redis ?? createRedis(config.redis, connection.role, connection.name);
  const keys = new Keyspace(config.redis.prefix);
  const queues: SyncQueues = {
    upload: new Queue(UPLOAD_QUEUE, { connection: redis, prefix: keys.tag }),
    done: new Queue(DONE_QUEUE, { connection: redis, prefix: keys.tag }),
  };
  return {
    config,
    applicationId,
    clock,
    random: overrides.random ?? Math.random,
    logger,
    redis,
    keys,
    queues,
    enqueuer: new SyncEnqueuer(queues, { attempts: config.worker.attempts, keepCompletedSeconds: config.worker.keepCompletedSeconds }, applicationId, clock),
    batches: new BatchStore(redis, keys),
    blobs: new RedisBlobStore(redis, keys),
    rejected: new RejectedStore(redis, keys),
    guard: new RedisStageGuard({ redis, keys, topics: config.topics, uploadQueue: queues.upload, clock, logger }),
    limiter: createRateLimiter(redis, keys, config.limits),
    circuit: createCircuitBreaker(redis, keys, config.circuit),
    metrics: new RedisSyncMetrics(redis, keys, logger),
    streams: new RedisStreamSettlement(redis, keys, config.worker.keepCompletedSeconds * 1000),
    async close() {
      await Promise.all([queues.upload.close(), queues.done.close()]);
      if (ownsRedis) await closeRedis(redis);
    },
  };
}
