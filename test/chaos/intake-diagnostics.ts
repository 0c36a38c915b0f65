import type { Job } from 'bullmq';
import type { OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';

/**
 * In-flight entries of a topic's intake whose upload job has completed. There must be none: each
 * would hold one of the topic's in-flight slots for ever (docs/durability.md, B4, fixed in
 * beb1d52); the accounting checks it and a stuck drain reports it.
 */
export async function phantomInFlight(handle: OperationsHandle, topic: string): Promise<string[]> {
  const members = await handle.redis.smembers(handle.keys.intakeInflight(topic));
  const states = await Promise.all(members.map(async (id) => [id, await handle.queues.upload.getJobState(id)] as const));
  return states.filter(([, state]) => state === 'completed').map(([id]) => id);
}

/** Every failed job of both queues, described (stage, times stalled, reason). */
export async function describeFailedJobs(handle: OperationsHandle): Promise<string[]> {
  const described: string[] = [];
  for (const [name, queue] of [
    ['upload', handle.queues.upload],
    ['done', handle.queues.done],
  ] as const) {
    const failed: Job[] = await queue.getFailed(0, 1_000);
    for (const job of failed) {
      const stage = (job.data as { stage?: unknown } | undefined)?.stage;
      described.push(`${name} job ${job.id ?? '?'} (${String(stage)}, stalled ${job.stalledCounter}): ${job.failedReason}`);
    }
  }
  return described;
}
