import { Queue } from 'bullmq';
import { systemClock, type Clock } from 'byteair-sync/internal/src/clock.js';
import type { Config } from 'byteair-sync/internal/src/config/config.js';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { BatchStore } from 'byteair-sync/internal/src/batches/batch-store.js';
import { RedisBlobStore } from 'byteair-sync/internal/src/batches/blob-store.js';
import { RejectedStore } from 'byteair-sync/internal/src/batches/rejected-store.js';
import { RedisStageGuard } from 'byteair-sync/internal/src/guard/stage-guard.js';
import { silentLogger } from 'byteair-sync/internal/src/observability/logger.js';
import { SyncEnqueuer, type SyncQueues } from 'byteair-sync/internal/src/queue/sync-enqueuer.js';
import { DONE_QUEUE, UPLOAD_QUEUE } from 'byteair-sync/internal/src/queue/sync-queue.js';
import type { RedisClient } from 'byteair-sync/internal/src/redis/connection.js';
import { Keyspace } from 'byteair-sync/internal/src/redis/keyspace.js';
import { StreamIntake } from 'byteair-sync/internal/src/streaming/stream-intake.js';
import type { TestRedis } from './redis.js';

/** Obviously fake credentials for tests; never real ones. */
export const TEST_TENANT_ID = '2100021';
export const TEST_APPLICATION_ID = '12345678';
export const TEST_AK = 'AKLTtestAccessKeyId000000000000000';
export const TEST_SK = 'TestSecretAccessKey/with+chars==';
export const TEST_TOKEN = 'b6a0test5f2c4e9d8a7b1c3d5e7f9a0b';

/** How a config reaches an emulator started in the test process: its host and plain HTTP. */
export function emulatorEnv(emulator: { readonly url: string }): Record<string, string> {
  return { BYTEAIR_HOSTS: emulator.url.replace('http://', ''), BYTEAIR_SCHEME: 'http' };
}

/** A config for tests: this file's Redis and key prefix, fake credentials, plus overrides. */
export function testConfig(redis: TestRedis, env: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL: redis.url,
    BYTEAIR_REDIS_PREFIX: redis.prefix,
    BYTEAIR_TENANT_ID: TEST_TENANT_ID,
    BYTEAIR_APPLICATION_ID: TEST_APPLICATION_ID,
    BYTEAIR_AK: TEST_AK,
    BYTEAIR_SK: TEST_SK,
    BYTEAIR_LOG_LEVEL: 'silent',
    ...env,
  });
}

export interface TestPipeline {
  readonly config: Config;
  readonly redis: RedisClient;
  readonly keys: Keyspace;
  readonly queues: SyncQueues;
  readonly enqueuer: SyncEnqueuer;
  readonly batches: BatchStore;
  readonly blobs: RedisBlobStore;
  readonly rejected: RejectedStore;
  readonly guard: RedisStageGuard;
  readonly intake: StreamIntake;
  close(): Promise<void>;
}

/** The Redis-side pieces of the pipeline, wired as the composition roots do, for tests. */
export function testPipeline(testRedis: TestRedis, env: Record<string, string> = {}, clock: Clock = systemClock): TestPipeline {
  const config = testConfig(testRedis, env);
  const redis = testRedis.client();
  const keys = new Keyspace(config.redis.prefix);
  const queues: SyncQueues = {
    upload: new Queue(UPLOAD_QUEUE, { connection: redis, prefix: keys.tag }),
    done: new Queue(DONE_QUEUE, { connection: redis, prefix: keys.tag }),
  };
  const enqueuer = new SyncEnqueuer(queues, { attempts: config.worker.attempts, keepCompletedSeconds: config.worker.keepCompletedSeconds }, TEST_APPLICATION_ID, clock);
  return {
    config,
    redis,
    keys,
    queues,
    enqueuer,
    batches: new BatchStore(redis, keys),
    blobs: new RedisBlobStore(redis, keys),
    rejected: new RejectedStore(redis, keys),
    guard: new RedisStageGuard({ redis, keys, topics: config.topics, uploadQueue: queues.upload, clock, logger: silentLogger() }),
    intake: new StreamIntake({ redis, keys, topics: config.topics, cap: config.streaming.intakeCap, maxRequestBytes: config.limits.maxRequestBytes }),
    async close() {
      await Promise.all([queues.upload.close(), queues.done.close()]);
    },
  };
}
