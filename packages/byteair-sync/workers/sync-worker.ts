import { Queue, Worker } from 'bullmq';
import { ByteairClient, clientOptionsFrom, type UploadApi } from '../src/byteair/client.js';
import { systemClock, type Clock, type Random } from '../src/clock.js';
import type { Config } from '../src/config/config.js';
import { BatchStore } from '../src/batches/batch-store.js';
import { RedisBlobStore } from '../src/batches/blob-store.js';
import { RejectedStore } from '../src/batches/rejected-store.js';
import { RedisStageGuard } from '../src/guard/stage-guard.js';
import { createCircuitBreaker } from '../src/limiter/circuit-breaker.js';
import { createRateLimiter } from '../src/limiter/sliding-window-limiter.js';
import { createLogger, type Logger } from '../src/observability/logger.js';
import { RedisSyncMetrics } from '../src/observability/redis-sync-metrics.js';
import { retryDelayMs } from '../src/processor/backoff.js';
import { reconcileDoneJobs } from '../src/processor/reconciler.js';
import { watchPreemption } from '../src/processor/preemption-watch.js';
import { SlotPreemption } from '../src/processor/slot-preemption.js';
import { createSyncProcessor, type SyncJobResult } from '../src/processor/sync-processor.js';
import { requireApplicationId } from '../src/producer/open-producer.js';
import { SyncEnqueuer, type SyncQueues } from '../src/queue/sync-enqueuer.js';
import { DONE_QUEUE, queuePriorityOf, UPLOAD_QUEUE } from '../src/queue/sync-queue.js';
import { closeRedis, createRedis, type RedisClient } from '../src/redis/connection.js';
import { isConnectionError, watchRedis } from '../src/redis/redis-watch.js';
import { Keyspace } from '../src/redis/keyspace.js';
import { StreamBatcher } from '../src/streaming/stream-batcher.js';
import { RedisStreamSettlement } from '../src/streaming/stream-settlement.js';

export const WORKER_ROLES = ['upload', 'done', 'batcher'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

export interface SyncWorkerOptions {
  readonly config: Config;
  readonly roles: readonly WorkerRole[];
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly random?: Random;
  /** How often the done role re-adds missing Done jobs and releases parked jobs (safety net). */
  readonly reconcileEveryMs?: number;
}

export interface RunningSyncWorker {
  readonly roles: readonly WorkerRole[];
  readonly workers: readonly Worker[];
  /** Graceful stop: no new jobs; in-flight HTTP is aborted after BYTEAIR_SHUTDOWN_TIMEOUT_MS. */
  close(): Promise<void>;
}

/** How often a worker paused by the circuit or a 429 looks whether the pause was lifted. */
const PAUSE_RECHECK_MS = 1_000;
/** How long an idle worker waits for a job marker before it looks again (see drainDelay). */
const IDLE_REFETCH_SECONDS = 1;
/** After the shutdown deadline, how long each remaining step may wait on Redis before it is cut off. */
const FORCED_CLOSE_AFTER_MS = 2_000;
/** A held job re-checks by itself after this long, should its release ever be missed. */
const HOLD_RECHECK_MS = 60_000;
/** How often a worker whose slots are all taken looks for streaming chunks waiting for one. */
const PREEMPT_CHECK_MS = 100;
/** Streaming chunks allowed in flight per topic before the batcher lets the intake collect. */
const STREAM_MAX_IN_FLIGHT = 4;
/**
 * BullMQ honours queue.rateLimit() (our circuit-open and 429 pauses) only when a limiter is
 * configured. This one never binds: the real ceilings are enforced by our own limiter.
 */
const BULLMQ_LIMITER = { max: 1_000_000, duration: 1_000 };

/**
 * Composition root of a worker process: builds every dependency once and wires the upload
 * worker, the Done worker and the streaming batcher, as the roles ask.
 */
export async function startSyncWorker(options: SyncWorkerOptions): Promise<RunningSyncWorker> {
  const { config, roles } = options;
  const logger = options.logger ?? createLogger(config.logLevel, 'byteair-worker');
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const applicationId = requireApplicationId(config);
  const keys = new Keyspace(config.redis.prefix);
  // Workers never give up on Redis: during a Redis restart they wait, then carry on.
  const redis: RedisClient = createRedis(config.redis, 'worker', 'byteair-worker');
  /** Every connection this process opened, for a forced shutdown while Redis is down. */
  const connections: RedisClient[] = [redis];
  const queues: SyncQueues = {
    upload: new Queue(UPLOAD_QUEUE, { connection: redis, prefix: keys.tag }),
    done: new Queue(DONE_QUEUE, { connection: redis, prefix: keys.tag }),
  };
  // Without it, every reconnect attempt during a Redis outage prints a stack trace.
  const watch = watchRedis(redis, [queues.upload, queues.done], logger, 'the worker waits (no job is lost or spends an attempt)');
  const enqueuer = new SyncEnqueuer(queues, { attempts: config.worker.attempts, keepCompletedSeconds: config.worker.keepCompletedSeconds }, applicationId, clock);
  const batches = new BatchStore(redis, keys);
  const blobs = new RedisBlobStore(redis, keys);
  const guard = new RedisStageGuard({ redis, keys, topics: config.topics, uploadQueue: queues.upload, clock, logger });
  await guard.declareModes();

  const releasers: Array<() => Promise<void>> = [];
  const release = async (): Promise<void> => {
    for (const fn of releasers.reverse()) await fn().catch((error: unknown) => logger.error({ err: error }, 'error while shutting down'));
  };
  releasers.push(async () => {
    await Promise.all([queues.upload.close(), queues.done.close()]);
    await closeRedis(redis);
    watch.stop();
  });

  const workers: Worker[] = [];
  try {
    if (roles.includes('upload') || roles.includes('done')) {
      const api: UploadApi & { close?: () => void } = new ByteairClient(clientOptionsFrom(config, clock, random));
      releasers.push(() => Promise.resolve(api.close?.()));
      const preemption = new SlotPreemption();
      const processor = createSyncProcessor({
        api,
        limiter: createRateLimiter(redis, keys, config.limits),
        circuit: createCircuitBreaker(redis, keys, config.circuit),
        blobs,
        batches,
        rejected: new RejectedStore(redis, keys),
        gate: guard,
        enqueuer,
        streams: new RedisStreamSettlement(redis, keys, config.worker.keepCompletedSeconds * 1000),
        clock,
        logger,
        metrics: new RedisSyncMetrics(redis, keys, logger),
        holdRecheckMs: HOLD_RECHECK_MS,
        preemption,
      });
      let uploadsInFlight = 0;
      const countedProcessor: typeof processor = async (job, token, signal) => {
        uploadsInFlight += 1;
        try {
          return await processor(job, token, signal);
        } finally {
          uploadsInFlight -= 1;
        }
      };
      if (roles.includes('upload')) {
        const streamingPriority = queuePriorityOf('streaming');
        const stopWatch = watchPreemption({
          preemption,
          streamingWaiting: async () => (await queues.upload.getCountsPerPriority([streamingPriority]))[String(streamingPriority)] ?? 0,
          claim: async () => (await redis.set(keys.slotPreemption, String(process.pid), 'PX', PREEMPT_CHECK_MS, 'NX')) === 'OK',
          inFlight: () => uploadsInFlight,
          concurrency: config.worker.concurrency,
          everyMs: PREEMPT_CHECK_MS,
          logger,
        });
        releasers.push(() => Promise.resolve(stopWatch()));
      }
      const workerOptions = {
        connection: redis,
        prefix: keys.tag,
        concurrency: config.worker.concurrency,
        lockDuration: config.worker.lockDurationMs,
        stalledInterval: Math.max(500, Math.floor(config.worker.lockDurationMs / 2)),
        maxStalledCount: config.worker.maxStalledCount,
        limiter: BULLMQ_LIMITER,
        // A paused worker re-checks the queue's pause this often, so lifting it (the circuit
        // closed) takes effect within this long; BullMQ's default would be up to 30 s.
        maximumRateLimitDelay: PAUSE_RECHECK_MS,
        // An idle worker blocks this long (seconds) waiting for a job marker. A prioritized job
        // put back in wait (a 429 or open-circuit pause, a slot given back) gets no marker
        // (bullmq 6.7 moveJobFromActiveToWait: pushBackJobWithPriority adds none), so with
        // nothing else arriving it sat out BullMQ's 5 s default: a circuit probe every 5 s
        // whatever the cooldown (answer-decisions.test.ts saw 5.05 s between probes, 1.05 s
        // with this).
        drainDelay: IDLE_REFETCH_SECONDS,
        settings: {
          backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
            retryDelayMs(attemptsMade, { baseMs: config.worker.backoffBaseMs, maxMs: config.worker.backoffMaxMs }, random, retryAfterOf(error)),
        },
      };
      for (const [role, queueName] of [
        ['upload', UPLOAD_QUEUE],
        ['done', DONE_QUEUE],
      ] as const) {
        if (!roles.includes(role)) continue;
        const worker = new Worker<unknown, SyncJobResult>(queueName, role === 'upload' ? countedProcessor : processor, workerOptions);
        // During a Redis outage the worker's own connections repeat the error the watch already reported.
        worker.on('error', (error) => (watch.down || isConnectionError(error) ? logger.debug({ err: error, queue: queueName }, 'worker error during Redis outage') : logger.error({ err: error, queue: queueName }, 'worker error')));
        worker.on('failed', (job, error) => logger.warn({ jobId: job?.id, queue: queueName, attemptsMade: job?.attemptsMade, reason: error.message }, 'job attempt failed'));
        workers.push(worker);
      }
      if (roles.includes('done')) {
        const reconcile = async (): Promise<void> => {
          try {
            await reconcileDoneJobs(batches, enqueuer, logger);
            for (const topic of config.topics) await guard.releaseHeld(topic.name);
          } catch (error) {
            logger.error({ err: error }, 'reconciler pass failed');
          }
        };
        await reconcile();
        const timer = setInterval(() => void reconcile(), options.reconcileEveryMs ?? 5_000);
        timer.unref();
        releasers.push(() => Promise.resolve(clearInterval(timer)));
      }
    }
    if (roles.includes('batcher')) {
      const subscriber = createRedis(config.redis, 'worker', 'byteair-batcher-events');
      subscriber.on('error', (error: Error) => logger.debug({ err: error }, 'batcher event connection error'));
      connections.push(subscriber);
      const batcher = new StreamBatcher({
        redis,
        subscriber,
        keys,
        topics: config.topics,
        guard,
        enqueuer,
        blobs,
        applicationId,
        policy: {
          batchSize: config.streaming.batchSize,
          maxWaitMs: config.streaming.maxWaitMs,
          maxRecordsPerRequest: config.limits.maxRecordsPerRequest,
          maxInFlight: STREAM_MAX_IN_FLIGHT,
        },
        maxRequestBytes: config.limits.maxRequestBytes,
        clock,
        logger,
      });
      await batcher.start();
      releasers.push(async () => {
        await batcher.stop();
        await closeRedis(subscriber);
      });
    }
    await Promise.all(workers.map(async (w) => await w.waitUntilReady()));
  } catch (error) {
    await Promise.all(workers.map(async (w) => await w.close(true)));
    await release();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    roles,
    workers,
    close() {
      closing ??= (async () => {
        const graceful = Promise.all(workers.map(async (w) => await w.close()));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'deadline'>((resolve) => {
          timer = setTimeout(() => resolve('deadline'), config.worker.shutdownTimeoutMs);
        });
        if ((await Promise.race([graceful, deadline])) === 'deadline') {
          logger.warn({ timeoutMs: config.worker.shutdownTimeoutMs }, 'shutdown deadline reached: aborting in-flight requests');
          for (const w of workers) w.cancelAllJobs('shutdown deadline');
          if ((await Promise.race([graceful, sleep(FORCED_CLOSE_AFTER_MS)])) === 'slept') {
            // Only Redis is left to wait for, and it does not answer (an outage): waiting longer
            // would hang the process. Jobs still locked are recovered by other workers as stalled,
            // under the same Request-Ids, so dropping the connections loses nothing.
            logger.warn('Redis does not answer: dropping its connections without waiting');
            for (const connection of connections) connection.disconnect();
            await Promise.race([Promise.all(workers.map(async (w) => await w.close(true))), sleep(FORCED_CLOSE_AFTER_MS)]);
          }
        }
        clearTimeout(timer);
        await Promise.race([release(), sleep(FORCED_CLOSE_AFTER_MS)]);
      })();
      return closing;
    },
  };
}

function sleep(ms: number): Promise<'slept'> {
  return new Promise((resolve) => setTimeout(() => resolve('slept'), ms).unref());
}

function retryAfterOf(error: Error | undefined): number | undefined {
  if (error === undefined || !('retryAfterMs' in error)) return undefined;
  return typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined;
}
