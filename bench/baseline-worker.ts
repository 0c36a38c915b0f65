import { Queue, Worker } from 'bullmq';
import { ByteairClient, clientOptionsFrom } from 'byteair-sync/internal/src/byteair/client.js';
import { systemClock } from 'byteair-sync/internal/src/clock.js';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { BatchStore } from 'byteair-sync/internal/src/batches/batch-store.js';
import { RedisBlobStore } from 'byteair-sync/internal/src/batches/blob-store.js';
import { RejectedStore } from 'byteair-sync/internal/src/batches/rejected-store.js';
import { RedisStageGuard } from 'byteair-sync/internal/src/guard/stage-guard.js';
import { createCircuitBreaker } from 'byteair-sync/internal/src/limiter/circuit-breaker.js';
import { createLogger } from 'byteair-sync/internal/src/observability/logger.js';
import { RedisSyncMetrics } from 'byteair-sync/internal/src/observability/redis-sync-metrics.js';
import { retryDelayMs } from 'byteair-sync/internal/src/processor/backoff.js';
import { createSyncProcessor, type SyncJobResult } from 'byteair-sync/internal/src/processor/sync-processor.js';
import { requireApplicationId } from 'byteair-sync/internal/src/producer/open-producer.js';
import { SyncEnqueuer, type SyncQueues } from 'byteair-sync/internal/src/queue/sync-enqueuer.js';
import { DONE_QUEUE, UPLOAD_QUEUE } from 'byteair-sync/internal/src/queue/sync-queue.js';
import { closeRedis, createRedis } from 'byteair-sync/internal/src/redis/connection.js';
import { Keyspace } from 'byteair-sync/internal/src/redis/keyspace.js';
import { RedisStreamSettlement } from 'byteair-sync/internal/src/streaming/stream-settlement.js';
import { noopLimiter } from './harness/noop-limiter.js';

/**
 * `node dist/bench/baseline-worker.js --max <n>`: the throughput bench's baseline. The same
 * processor, client, circuit, stores and BullMQ options as workers/sync-worker.ts (upload and
 * done roles), with two swaps: our global limiter becomes a no-op, and BullMQ's own
 * job-count limiter `{max, duration: 1000}` paces the starts instead. Configured by the same
 * environment as `byteair-sync worker`; prints {"event":"ready"} once both workers are.
 */
async function main(): Promise<void> {
  const at = process.argv.indexOf('--max');
  const max = Number(process.argv[at + 1]);
  if (at === -1 || !Number.isSafeInteger(max) || max < 1) throw new Error(`--max must be a whole number of at least 1 (got ${String(process.argv[at + 1])})`);
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, 'byteair-baseline-worker');
  const clock = systemClock;
  const keys = new Keyspace(config.redis.prefix);
  const redis = createRedis(config.redis, 'worker', 'byteair-baseline-worker');
  const queues: SyncQueues = {
    upload: new Queue(UPLOAD_QUEUE, { connection: redis, prefix: keys.tag }),
    done: new Queue(DONE_QUEUE, { connection: redis, prefix: keys.tag }),
  };
  const enqueuer = new SyncEnqueuer(queues, { attempts: config.worker.attempts, keepCompletedSeconds: config.worker.keepCompletedSeconds }, requireApplicationId(config), clock);
  const guard = new RedisStageGuard({ redis, keys, topics: config.topics, uploadQueue: queues.upload, clock, logger });
  await guard.declareModes();
  const api = new ByteairClient(clientOptionsFrom(config, clock, Math.random));
  const processor = createSyncProcessor({
    api,
    limiter: noopLimiter,
    circuit: createCircuitBreaker(redis, keys, config.circuit),
    blobs: new RedisBlobStore(redis, keys),
    batches: new BatchStore(redis, keys),
    rejected: new RejectedStore(redis, keys),
    gate: guard,
    enqueuer,
    streams: new RedisStreamSettlement(redis, keys, config.worker.keepCompletedSeconds * 1000),
    clock,
    logger,
    metrics: new RedisSyncMetrics(redis, keys, logger),
    holdRecheckMs: 60_000,
  });
  const workers = [UPLOAD_QUEUE, DONE_QUEUE].map(
    (name) =>
      new Worker<unknown, SyncJobResult>(name, processor, {
        connection: redis,
        prefix: keys.tag,
        concurrency: config.worker.concurrency,
        lockDuration: config.worker.lockDurationMs,
        stalledInterval: Math.max(500, Math.floor(config.worker.lockDurationMs / 2)),
        maxStalledCount: config.worker.maxStalledCount,
        limiter: { max, duration: 1_000 },
        settings: {
          backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
            retryDelayMs(attemptsMade, { baseMs: config.worker.backoffBaseMs, maxMs: config.worker.backoffMaxMs }, Math.random, retryAfterOf(error)),
        },
      }),
  );
  for (const worker of workers) worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  await Promise.all(workers.map(async (w) => await w.waitUntilReady()));
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid, bullmqLimiter: { max, duration: 1_000 } })}\n`);
  const stop = (): void => {
    void (async () => {
      await Promise.all(workers.map(async (w) => await w.close()));
      api.close();
      await Promise.all([queues.upload.close(), queues.done.close()]);
      await closeRedis(redis);
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** As in workers/sync-worker.ts: a Retry-After carried by the error sets the retry's floor. */
function retryAfterOf(error: Error | undefined): number | undefined {
  if (error === undefined || !('retryAfterMs' in error)) return undefined;
  return typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined;
}

await main();
