import type { Stage } from '../byteair/stage.js';

/** Which failed jobs an operator replays: any combination; an empty filter means all. */
export interface ReplayFilter {
  readonly topic?: string;
  readonly stage?: Stage;
  /** Data date `YYYY-MM-DD`. */
  readonly date?: string;
  /** Failed at or after this epoch ms. */
  readonly failedFrom?: number;
  /** Failed before this epoch ms. */
  readonly failedTo?: number;
}

export interface FailedJobView {
  readonly queue: 'upload' | 'done';
  readonly jobId: string;
  readonly kind: 'write' | 'done';
  readonly topic: string;
  readonly stage: string;
  readonly date: string | null;
  readonly records: number;
  readonly failedReason: string;
  readonly failedAt: number | null;
  readonly attemptsMade: number;
}

/** Pure: does this failed job match the filter? */
export function matchesReplayFilter(job: FailedJobView, filter: ReplayFilter): boolean {
  if (filter.topic !== undefined && job.topic !== filter.topic) return false;
  if (filter.stage !== undefined && job.stage !== filter.stage) return false;
  if (filter.date !== undefined && job.date !== filter.date) return false;
  if (filter.failedFrom !== undefined && (job.failedAt === null || job.failedAt < filter.failedFrom)) return false;
  if (filter.failedTo !== undefined && (job.failedAt === null || job.failedAt >= filter.failedTo)) return false;
  return true;
}
