import type { Queue } from 'bullmq';
import type { Clock } from '../clock.js';
import { batchIdOf, type BatchRef } from '../batches/batch-id.js';
import { doneRequestId } from './request-id.js';
import { JOB_DATA_VERSION, type DoneJobData, type WriteJobData } from './job-data.js';
import { DONE_JOB, jobOptions, limiterPriorityOf, WRITE_JOB, type JobPolicy } from './sync-queue.js';

export interface SyncQueues {
  readonly upload: Queue;
  readonly done: Queue;
}

/**
 * Adds jobs to the sync queues. Job ids are the Request-Ids, so adding the same chunk or
 * Done twice is a no-op for as long as the job is kept (the replay window).
 */
export class SyncEnqueuer {
  readonly #queues: SyncQueues;
  readonly #policy: JobPolicy;
  readonly #applicationId: string;
  readonly #clock: Clock;

  constructor(queues: SyncQueues, policy: JobPolicy, applicationId: string, clock: Clock) {
    this.#queues = queues;
    this.#policy = policy;
    this.#applicationId = applicationId;
    this.#clock = clock;
  }

  get queues(): SyncQueues {
    return this.#queues;
  }

  /** Stops every worker of both queues from fetching for `ms` (circuit open, 429). */
  async pauseAll(ms: number): Promise<void> {
    await Promise.all([this.#queues.upload.rateLimit(ms), this.#queues.done.rateLimit(ms)]);
  }

  /** Ends a pauseAll early (the circuit closed): workers fetch again within their rate-limit poll. */
  async liftPause(): Promise<void> {
    await Promise.all([this.#queues.upload.removeRateLimitKey(), this.#queues.done.removeRateLimitKey()]);
  }

  async addWrites(jobs: readonly WriteJobData[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.#queues.upload.addBulk(
      jobs.map((data) => ({ name: WRITE_JOB, data, opts: jobOptions(data.requestId, limiterPriorityOf('write', data.stage), this.#policy) })),
    );
  }

  async addDone(ref: BatchRef): Promise<void> {
    const requestId = doneRequestId(this.#applicationId, ref.topic, ref.stage, ref.date);
    const data: DoneJobData = {
      v: JOB_DATA_VERSION,
      kind: 'done',
      topic: ref.topic,
      stage: ref.stage,
      date: ref.date,
      requestId,
      batchId: batchIdOf(ref),
      enqueuedAt: this.#clock.now(),
    };
    await this.#queues.done.add(DONE_JOB, data, jobOptions(requestId, 'done', this.#policy));
  }
}
