import { Queue } from 'bullmq';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import { BatchStore } from '../batches/batch-store.js';
import { RedisBlobStore } from '../batches/blob-store.js';
import { RejectedStore } from '../batches/rejected-store.js';
import { closeRedis, createRedis, type RedisClient } from '../redis/connection.js';
import { Keyspace } from '../redis/keyspace.js';
import { SyncEnqueuer, type SyncQueues } from '../queue/sync-enqueuer.js';
import { DONE_QUEUE, UPLOAD_QUEUE } from '../queue/sync-queue.js';
import { SyncProducer } from './sync-producer.js';

export interface ProducerHandle {
  readonly producer: SyncProducer;
  readonly queues: SyncQueues;
  readonly redis: RedisClient;
  close(): Promise<void>;
}

/** Request-Ids are derived from the application id, so a producer needs it even without credentials. */
export function requireApplicationId(config: Config): string {
  const id = config.api.applicationId;
  if (id === undefined) throw new ConfigError('BYTEAIR_APPLICATION_ID', 'nothing', 'is required: Request-Ids are derived from it', 'environment');
  return id;
}

/** Wires a producer for one process: its own fail-fast Redis connection and the sync queue. */
export function openProducer(config: Config, options: { redis?: RedisClient; clock?: Clock } = {}): ProducerHandle {
  const applicationId = requireApplicationId(config);
  const ownsRedis = options.redis === undefined;
  const redis = options.redis ?? createRedis(config.redis, 'producer', 'byteair-producer');
  const keys = new Keyspace(config.redis.prefix);
  const clock = options.clock ?? systemClock;
  const queues: SyncQueues = {
    upload: new Queue(UPLOAD_QUEUE, { connection: redis, prefix: keys.tag }),
    done: new Queue(DONE_QUEUE, { connection: redis, prefix: keys.tag }),
  };
  const enqueuer = new SyncEnqueuer(queues, { attempts: config.worker.attempts, keepCompletedSeconds: config.worker.keepCompletedSeconds }, applicationId, clock);
  const producer = new SyncProducer({
    config,
    applicationId,
    batches: new BatchStore(redis, keys),
    blobs: new RedisBlobStore(redis, keys),
    enqueuer,
    rejected: new RejectedStore(redis, keys),
    clock,
  });
  return {
    producer,
    queues,
    redis,
    async close() {
      await Promise.all([queues.upload.close(), queues.done.close()]);
      if (ownsRedis) await closeRedis(redis);
    },
  };
}
