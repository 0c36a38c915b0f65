import { Worker, type WorkerOptions } from 'bullmq';
import { ByteairClient, clientOptionsFrom, type UploadApi } from '../src/byteair/client.js';
import type { Clock, Random } from '../src/clock.js';
import type { Config } from '../src/config/config.js';
import type { RateLimiter } from '../src/limiter/rate-limiter.js';
import { createLogger, type Logger } from '../src/observability/logger.js';
import { retryDelayMs } from '../src/processor/backoff.js';
import { reconcileDoneJobs } from '../src/processor/reconciler.js';
import { watchPreemption } from '../src/processor/preemption-watch.js';
import { SlotPreemption } from '../src/processor/slot-preemption.js';
import { createSyncProcessor, type SyncJobResult, type SyncProcessor, type SyncProcessorDeps } from '../src/processor/sync-processor.js';
import { DONE_QUEUE, queuePriorityOf, UPLOAD_QUEUE } from '../src/queue/sync-queue.js';
import { closeRedis, createRedis, type RedisClient } from '../src/redis/connection.js';
import { isConnectionError, watchRedis, type RedisWatch } from '../src/redis/redis-watch.js';
import { StreamBatcher } from '../src/streaming/stream-batcher.js';
import { Releasers, type Releaser } from '../src/wiring/releasers.js';
import { openSyncGraph, type SyncGraph } from '../src/wiring/sync-graph.js';

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
 * Composition root of a worker process: builds the shared graph once and starts the upload
 * worker, the Done worker and the streaming batcher on it, as the roles ask.
 */
export async function startSyncWorker(options: SyncWorkerOptions): Promise<RunningSyncWorker> {
  const { config, roles } = options;
  const logger = options.logger ?? createLogger(config.logLevel, 'byteair-worker');
  // Workers never give up on Redis: during a Redis restart they wait, then carry on.
  const graph = openSyncGraph(config, { role: 'worker', name: 'byteair-worker' }, { logger, clock: options.clock, random: options.random });
  const { redis, queues } = graph;
  /** Every connection this process opened, for a forced shutdown while Redis is down. */
  const connections: RedisClient[] = [redis];
  // Without it, every reconnect attempt during a Redis outage prints a stack trace.
  const watch = watchRedis(redis, [queues.upload, queues.done], logger, 'the worker waits (no job is lost or spends an attempt)');
  const releasers = new Releasers((error) => logger.error({ err: error }, 'error while shutting down'));
  releasers.add(async () => {
    await graph.close();
    watch.stop();
  });

  const workers: Worker[] = [];
  try {
    await graph.guard.declareModes();
    if (roles.includes('upload') || roles.includes('done')) {
      const api: UploadApi & { close?: () => void } = new ByteairClient(clientOptionsFrom(config, graph.clock, graph.random));
      releasers.add(() => api.close?.());
      const preemption = new SlotPreemption();
      const processor = createSyncProcessor(syncProcessorDeps(graph, api, { preemption }));
      let uploadsInFlight = 0;
      const countedProcessor: SyncProcessor = async (job, token, signal) => {
        uploadsInFlight += 1;
        try {
          return await processor(job, token, signal);
        } finally {
          uploadsInFlight -= 1;
        }
      };
      if (roles.includes('upload')) releasers.add(startPreemptionWatch(graph, preemption, () => uploadsInFlight));
      if (roles.includes('upload')) workers.push(startQueueWorker(graph, UPLOAD_QUEUE, countedProcessor, watch));
      if (roles.includes('done')) workers.push(startQueueWorker(graph, DONE_QUEUE, processor, watch));
      if (roles.includes('done')) releasers.add(await startReconciler(graph, options.reconcileEveryMs ?? 5_000));
    }
    if (roles.includes('batcher')) {
      const subscriber = createRedis(config.redis, 'worker', 'byteair-batcher-events');
      subscriber.on('error', (error: Error) => logger.debug({ err: error }, 'batcher event connection error'));
      connections.push(subscriber);
      releasers.add(async () => await closeRedis(subscriber));
      releasers.add(await startBatcher(graph, subscriber));
    }
    await Promise.all(workers.map(async (w) => await w.waitUntilReady()));
  } catch (error) {
    await Promise.all(workers.map(async (w) => await w.close(true)));
    await releasers.release();
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
        await Promise.race([releasers.release(), sleep(FORCED_CLOSE_AFTER_MS)]);
      })();
      return closing;
    },
  };
}

/**
 * The processor's dependencies on a graph. The throughput bench's baseline swaps the limiter;
 * the worker adds the slot preemption streaming chunks use to overtake offline writes.
 */
export function syncProcessorDeps(graph: SyncGraph, api: UploadApi, extra: { limiter?: RateLimiter; preemption?: SlotPreemption } = {}): SyncProcessorDeps {
  return {
    api,
    limiter: extra.limiter ?? graph.limiter,
    circuit: graph.circuit,
    blobs: graph.blobs,
    batches: graph.batches,
    rejected: graph.rejected,
    gate: graph.guard,
    enqueuer: graph.enqueuer,
    streams: graph.streams,
    clock: graph.clock,
    logger: graph.logger,
    metrics: graph.metrics,
    holdRecheckMs: HOLD_RECHECK_MS,
    preemption: extra.preemption,
  };
}

/**
 * BullMQ options of every upload and Done worker. By default BullMQ's own limiter never binds
 * (BULLMQ_LIMITER); the bench baseline passes one that paces job starts in place of ours.
 */
export function syncWorkerOptions(graph: SyncGraph, bullmqLimiter: { readonly max: number; readonly duration: number } = BULLMQ_LIMITER): WorkerOptions {
  const { config, random } = graph;
  return {
    connection: graph.redis,
    prefix: graph.keys.tag,
    concurrency: config.worker.concurrency,
    lockDuration: config.worker.lockDurationMs,
    stalledInterval: Math.max(500, Math.floor(config.worker.lockDurationMs / 2)),
    maxStalledCount: config.worker.maxStalledCount,
    limiter: { ...bullmqLimiter },
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
}

/** One BullMQ worker on a queue; the caller closes it (graceful first, with a deadline). */
function startQueueWorker(graph: SyncGraph, queueName: typeof UPLOAD_QUEUE | typeof DONE_QUEUE, processor: SyncProcessor, watch: RedisWatch): Worker {
  const { logger } = graph;
  const worker = new Worker<unknown, SyncJobResult>(queueName, processor, syncWorkerOptions(graph));
  // During a Redis outage the worker's own connections repeat the error the watch already reported.
  worker.on('error', (error) =>
    watch.down || isConnectionError(error)
      ? logger.debug({ err: error, queue: queueName }, 'worker error during Redis outage')
      : logger.error({ err: error, queue: queueName }, 'worker error'),
  );
  worker.on('failed', (job, error) =>
    logger.warn({ jobId: job?.id, queue: queueName, attemptsMade: job?.attemptsMade, reason: error.message }, 'job attempt failed'),
  );
  return worker;
}

/** Lets a waiting streaming chunk take the slot of an offline write queued in the limiter when every slot is taken. */
function startPreemptionWatch(graph: SyncGraph, preemption: SlotPreemption, inFlight: () => number): Releaser {
  const { queues, redis, keys } = graph;
  const streamingPriority = queuePriorityOf('streaming');
  return watchPreemption({
    preemption,
    streamingWaiting: async () => (await queues.upload.getCountsPerPriority([streamingPriority]))[String(streamingPriority)] ?? 0,
    claim: async () => (await redis.set(keys.slotPreemption, String(process.pid), 'PX', PREEMPT_CHECK_MS, 'NX')) === 'OK',
    inFlight,
    concurrency: graph.config.worker.concurrency,
    everyMs: PREEMPT_CHECK_MS,
    logger: graph.logger,
  });
}

/** The done role's safety net: re-adds missing Done jobs and releases parked jobs, once now and then every `everyMs`. */
async function startReconciler(graph: SyncGraph, everyMs: number): Promise<Releaser> {
  const { logger } = graph;
  const reconcile = async (): Promise<void> => {
    try {
      await reconcileDoneJobs(graph.batches, graph.enqueuer, logger);
      for (const topic of graph.config.topics) await graph.guard.releaseHeld(topic.name);
    } catch (error) {
      logger.error({ err: error }, 'reconciler pass failed');
    }
  };
  await reconcile();
  const timer = setInterval(() => void reconcile(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The streaming batcher: cuts each topic's intake into chunks and enqueues them; `subscriber` carries its wake-ups. */
async function startBatcher(graph: SyncGraph, subscriber: RedisClient): Promise<Releaser> {
  const { config } = graph;
  const batcher = new StreamBatcher({
    redis: graph.redis,
    subscriber,
    keys: graph.keys,
    topics: config.topics,
    guard: graph.guard,
    enqueuer: graph.enqueuer,
    blobs: graph.blobs,
    applicationId: graph.applicationId,
    policy: {
      batchSize: config.streaming.batchSize,
      maxWaitMs: config.streaming.maxWaitMs,
      maxRecordsPerRequest: config.limits.maxRecordsPerRequest,
      maxInFlight: STREAM_MAX_IN_FLIGHT,
    },
    maxRequestBytes: config.limits.maxRequestBytes,
    clock: graph.clock,
    logger: graph.logger,
  });
  await batcher.start();
  return async () => await batcher.stop();
}

function sleep(ms: number): Promise<'slept'> {
  return new Promise((resolve) => setTimeout(() => resolve('slept'), ms).unref());
}

/** A Retry-After carried by the error sets the retry's floor. */
export function retryAfterOf(error: Error | undefined): number | undefined {
  if (error === undefined || !('retryAfterMs' in error)) return undefined;
  return typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined;
}
