import type { Queue } from 'bullmq';
import type { Clock } from '../clock.js';
import { batchIdOf, type BatchRef } from '../batches/batch-id.js';
import { doneRequestId } from './request-id.js';
import { JOB_DATA_VERSION, type DoneJobData, type WriteJobData } from './job-data.js';
import { DONE_JOB, jobOptions, limiterPriorityOf, WRITE_JOB, type JobPolicy } from './sync-queue.js';

/**
 * Adds jobs to the sync queue. Job ids are the Request-Ids, so adding the same chunk or
 * Done twice is a no-op for as long as the job is kept (the replay window).
 */
export class SyncEnqueuer {
  readonly #queue: Queue;
  readonly #policy: JobPolicy;
  readonly #applicationId: string;
  readonly #clock: Clock;

  constructor(queue: Queue, policy: JobPolicy, applicationId: string, clock: Clock) {
    this.#queue = queue;
    this.#policy = policy;
    this.#applicationId = applicationId;
    this.#clock = clock;
  }

  get queue(): Queue {
    return this.#queue;
  }

  async addWrites(jobs: readonly WriteJobData[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.#queue.addBulk(
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
    await this.#queue.add(DONE_JOB, data, jobOptions(requestId, 'done', this.#policy));
  }
}
