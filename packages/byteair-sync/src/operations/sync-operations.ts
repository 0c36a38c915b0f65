import type { Job, Queue } from 'bullmq';
import { OFFLINE_STAGES } from '../byteair/stage.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { BatchStore } from '../batches/batch-store.js';
import type { RejectedStore, StoredRejection } from '../batches/rejected-store.js';
import { streamingOwner } from '../batches/rejected-store.js';
import type { RedisStageGuard } from '../guard/stage-guard.js';
import type { CircuitBreaker, RateLimiter } from '../limiter/rate-limiter.js';
import { parseJobData } from '../queue/job-data.js';
import type { SyncQueues } from '../queue/sync-enqueuer.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { readRedisMemory } from '../redis/redis-memory.js';
import { readIntakeStatus } from '../streaming/intake-status.js';
import { matchesReplayFilter, type FailedJobView, type ReplayFilter } from './replay-filter.js';
import { queueCounts, topicStatus, type SyncStatus } from './sync-status.js';

export interface RejectedRow extends StoredRejection {
  /** Batch id (`topic/stage/date`) or `stream/<topic>`. */
  readonly owner: string;
}

export interface SyncOperationsDeps {
  readonly config: Config;
  readonly redis: RedisClient;
  readonly keys: Keyspace;
  readonly queues: SyncQueues;
  readonly batches: BatchStore;
  readonly rejected: RejectedStore;
  readonly guard: RedisStageGuard;
  readonly limiter: RateLimiter;
  readonly circuit: CircuitBreaker;
  readonly clock: Clock;
}

/** Page size when walking failed jobs. */
const PAGE = 500;

/** What operators do to a running system: look, pause, resume, replay, export rejected records. */
export class SyncOperations {
  readonly #d: SyncOperationsDeps;

  constructor(deps: SyncOperationsDeps) {
    this.#d = deps;
  }

  async status(): Promise<SyncStatus> {
    const d = this.#d;
    const now = d.clock.now();
    const ids = await d.batches.list(100_000);
    const batches = (await Promise.all(ids.map(async (id) => await d.batches.status(id)))).filter((b) => b !== null);
    const topics = await Promise.all(
      d.config.topics.map(async (t) => {
        const [guard, streaming, held] = await Promise.all([d.guard.state(t.name), readIntakeStatus(d.redis, d.keys, t.name), d.guard.heldCounts(t.name)]);
        return topicStatus(guard, batches, streaming, held, { now, zone: d.config.dateZone, doneBy: t.dailyDoneBy });
      }),
    );
    const [limiter, circuit, upload, done, redisMemory] = await Promise.all([
      d.limiter.usage(),
      d.circuit.snapshot(),
      queueCounts(d.queues.upload),
      queueCounts(d.queues.done),
      readRedisMemory(d.redis, d.keys),
    ]);
    return { at: now, topics, batches, limiter, circuit, queues: { upload, done }, redisMemory };
  }

  /** Stops every worker from taking new jobs (in-flight ones finish). */
  async pause(): Promise<void> {
    await Promise.all([this.#d.queues.upload.pause(), this.#d.queues.done.pause()]);
  }

  async resume(): Promise<void> {
    await Promise.all([this.#d.queues.upload.resume(), this.#d.queues.done.resume()]);
  }

  async failedJobs(filter: ReplayFilter = {}): Promise<FailedJobView[]> {
    const out: FailedJobView[] = [];
    for (const [name, queue] of [
      ['upload', this.#d.queues.upload],
      ['done', this.#d.queues.done],
    ] as const) {
      for await (const job of failedJobsOf(queue)) {
        const view = toView(name, job);
        if (view !== null && matchesReplayFilter(view, filter)) out.push(view);
      }
    }
    return out;
  }

  /**
   * Moves matching failed jobs back to waiting with their attempts reset, so each gets its
   * full retry budget again. Same job, same Request-Id: a chunk that did land is answered 409.
   */
  async replay(filter: ReplayFilter, options: { dryRun: boolean }): Promise<FailedJobView[]> {
    const matching = await this.failedJobs(filter);
    if (options.dryRun) return matching;
    for (const view of matching) {
      const queue = view.queue === 'upload' ? this.#d.queues.upload : this.#d.queues.done;
      const job = await queue.getJob(view.jobId);
      if ((await job?.getState()) === 'failed') await job?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
    return matching;
  }

  /** Records the API refused (1001), with reasons, for a topic and optionally a stage and date. */
  async *rejectedRecords(filter: { topic?: string; stage?: string; date?: string } = {}): AsyncGenerator<RejectedRow> {
    const owners: string[] = [];
    for (const topic of this.#d.config.topics) {
      if (filter.topic !== undefined && topic.name !== filter.topic) continue;
      for (const stage of OFFLINE_STAGES) {
        if (filter.stage !== undefined && stage !== filter.stage) continue;
        for (const id of await this.#d.batches.list(100_000)) {
          const [t, s, date] = id.split('/');
          if (t === topic.name && s === stage && (filter.date === undefined || date === filter.date)) owners.push(id);
        }
      }
      if ((filter.stage === undefined || filter.stage === 'incremental_sync_streaming') && filter.date === undefined) owners.push(streamingOwner(topic.name));
    }
    for (const owner of [...new Set(owners)]) {
      for (const row of await this.#d.rejected.list(owner)) yield { owner, ...row };
    }
  }
}

async function* failedJobsOf(queue: Queue): AsyncGenerator<Job> {
  for (let start = 0; ; start += PAGE) {
    const page = await queue.getFailed(start, start + PAGE - 1);
    for (const job of page) yield job;
    if (page.length < PAGE) return;
  }
}

function toView(queue: 'upload' | 'done', job: Job): FailedJobView | null {
  let data;
  try {
    data = parseJobData(job.data);
  } catch {
    return null;
  }
  return {
    queue,
    jobId: job.id ?? data.requestId,
    kind: data.kind,
    topic: data.topic,
    stage: data.stage,
    date: data.date,
    records: data.kind === 'write' ? data.records : 0,
    failedReason: job.failedReason,
    failedAt: job.finishedOn ?? null,
    attemptsMade: job.attemptsMade,
  };
}
