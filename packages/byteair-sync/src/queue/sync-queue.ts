import type { JobsOptions } from 'bullmq';
import type { Stage } from '../byteair/stage.js';
import type { LimiterPriority } from '../limiter/rate-limiter.js';

/**
 * Two BullMQ queues: `upload` carries every WriteData chunk (offline and streaming), `done`
 * carries one Done per (topic, stage, date). Separate so a process can run either role, and
 * so a Done is never stuck behind a backlog of uploads. The circuit breaker pauses both.
 */
export const UPLOAD_QUEUE = 'upload';
export const DONE_QUEUE = 'done';
export const WRITE_JOB = 'write';
export const DONE_JOB = 'done';
/** Registered by every worker; the job options name it. */
export const BACKOFF_TYPE = 'byteair';

/** BullMQ priorities (lower runs first): streaming, Done calls, daily, history, pre_sync. */
const QUEUE_PRIORITY: Readonly<Record<LimiterPriority, number>> = {
  streaming: 1,
  done: 2,
  daily: 3,
  history: 4,
  pre_sync: 5,
};

/** The BullMQ priority jobs of a limiter class are added with. */
export function queuePriorityOf(priority: LimiterPriority): number {
  return QUEUE_PRIORITY[priority];
}

export function limiterPriorityOf(kind: 'write' | 'done', stage: Stage): LimiterPriority {
  if (kind === 'done') return 'done';
  switch (stage) {
    case 'incremental_sync_streaming':
      return 'streaming';
    case 'incremental_sync_daily':
      return 'daily';
    case 'history_sync':
      return 'history';
    case 'pre_sync':
      return 'pre_sync';
  }
}

export interface JobPolicy {
  readonly attempts: number;
  readonly keepCompletedSeconds: number;
}

/**
 * Options for every job we add. Failed jobs are kept (removeOnFail: false) so a failed chunk
 * keeps its batch open and can be replayed; completed ones are kept for the replay window
 * so re-adding the same job id stays a no-op.
 */
export function jobOptions(jobId: string, priority: LimiterPriority, policy: JobPolicy): JobsOptions {
  return {
    jobId,
    priority: QUEUE_PRIORITY[priority],
    attempts: policy.attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: { age: policy.keepCompletedSeconds },
    removeOnFail: false,
  };
}
