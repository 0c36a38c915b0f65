import type { Queue } from 'bullmq';
import { parseJobData } from 'byteair-sync/internal/src/queue/job-data.js';
import { WRITE_JOB } from 'byteair-sync/internal/src/queue/sync-queue.js';

/** One accepted upload chunk, with BullMQ's timestamps (worker clocks, epoch ms). */
export interface FinishedChunk {
  readonly requestId: string;
  readonly topic: string;
  readonly stage: string;
  readonly records: number;
  /** When the job was added (the chunk was enqueued). */
  readonly addedAt: number;
  /** When a worker took it for the last time (before the limiter wait). */
  readonly startedAt: number;
  /** When the API's answer was in and the job completed. */
  readonly finishedAt: number;
  /** Streaming chunks: the intake entry ids they cover. */
  readonly intake: { readonly first: string; readonly last: string } | undefined;
}

/** Every completed write job of the upload queue (completed jobs are kept for the replay window). */
export async function finishedChunks(upload: Queue): Promise<FinishedChunk[]> {
  const jobs = await upload.getJobs(['completed'], 0, -1, true);
  const out: FinishedChunk[] = [];
  for (const job of jobs) {
    if (job.name !== WRITE_JOB || job.finishedOn === undefined || job.processedOn === undefined) continue;
    const data = parseJobData(job.data);
    if (data.kind !== 'write') continue;
    out.push({
      requestId: data.requestId,
      topic: data.topic,
      stage: data.stage,
      records: data.records,
      addedAt: job.timestamp,
      startedAt: job.processedOn,
      finishedAt: job.finishedOn,
      intake: data.intake,
    });
  }
  return out.sort((a, b) => a.finishedAt - b.finishedAt);
}

/** The run's first job start and last job finish (epoch ms, BullMQ's timestamps). */
export interface JobSpan {
  readonly first: number;
  readonly last: number;
}

export function jobSpanOf(chunks: readonly FinishedChunk[]): JobSpan {
  return { first: Math.min(...chunks.map((c) => c.startedAt)), last: Math.max(...chunks.map((c) => c.finishedAt)) };
}

export interface Rate {
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
}

/**
 * Records accepted per second between `from` and `to` (epoch ms): the chunks that finished
 * in (from, to]. Chunk granularity: at 5 chunks/s an edge costs at most one chunk.
 */
export function rateBetween(chunks: readonly FinishedChunk[], from: number, to: number): Rate {
  const records = chunks.filter((c) => c.finishedAt > from && c.finishedAt <= to).reduce((sum, c) => sum + c.records, 0);
  const seconds = (to - from) / 1000;
  return { records, seconds, recordsPerSecond: seconds > 0 ? records / seconds : Number.NaN };
}
