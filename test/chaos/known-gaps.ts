import type { OperationsHandle } from '../../src/operations/open-operations.js';

/**
 * Bugs of byteair-sync that chaos runs hit and that are reported, not yet fixed
 * (docs/durability.md, "Known gaps"). Each is matched by an exact signature, counted and
 * printed; none of them loses or duplicates a record, which the accounting checks as strictly
 * as ever. CHAOS_STRICT=1 turns them into violations (to verify a fix).
 *   B3: a streaming chunk uploaded and settled (its blob deleted) whose worker died before
 *       BullMQ completed the job; the stalled re-run finds no blob and fails the job with
 *       BLOB_MISSING (offline chunks check isChunkSettled first; streaming ones do not).
 *   B4: a streaming chunk left in the intake's in-flight set although its job completed: the
 *       batcher enqueues the job, then adds its Request-Id to the set (INTAKE_COMMIT); when a
 *       worker takes the job and settles it (INTAKE_SETTLE removes the id) before that SADD
 *       lands (a batcher slowed by a loaded machine, about 1 chunk in 700 here), the id stays
 *       for ever and holds one of the topic's 4 in-flight slots: four of them stop the topic's
 *       streaming for good. Tolerant runs sweep such entries as an operator would (counted).
 */
export interface KnownGaps {
  readonly b3BlobMissingAfterStall: number;
  /** Entries swept during the run plus those left at the end. */
  readonly b4PhantomInFlight: number;
}

export interface FailedJobsByKind {
  /** Failed jobs with B3's signature: streaming, BLOB_MISSING, recovered from a stall first. */
  readonly b3: number;
  /** Every other failed job, described. */
  readonly other: string[];
}

export async function classifyFailedJobs(handle: OperationsHandle): Promise<FailedJobsByKind> {
  let b3 = 0;
  const other: string[] = [];
  for (const [name, queue] of [['upload', handle.queues.upload], ['done', handle.queues.done]] as const) {
    for (const job of await queue.getFailed(0, 1_000)) {
      const data = job.data as { stage?: unknown } | undefined;
      const stalled = job.stalledCounter;
      if (name === 'upload' && data?.stage === 'incremental_sync_streaming' && job.failedReason.startsWith('BLOB_MISSING') && stalled >= 1) b3 += 1;
      else other.push(`${name} job ${job.id ?? '?'} (${String(data?.stage)}, stalled ${stalled}): ${job.failedReason}`);
    }
  }
  return { b3, other };
}

/** In-flight entries of a topic's intake whose upload job has completed (B4). */
export async function phantomInFlight(handle: OperationsHandle, topic: string): Promise<string[]> {
  const members = await handle.redis.smembers(handle.keys.intakeInflight(topic));
  const states = await Promise.all(members.map(async (id) => [id, await handle.queues.upload.getJobState(id)] as const));
  return states.filter(([, state]) => state === 'completed').map(([id]) => id);
}

/**
 * Removes B4 entries while a tolerant run goes on, so the topic keeps streaming; returns how
 * many it removed. Safe: a completed job's chunk was settled, it is in flight no more.
 */
export async function sweepPhantoms(handle: OperationsHandle, topics: readonly string[]): Promise<number> {
  let swept = 0;
  for (const topic of topics) {
    const phantoms = await phantomInFlight(handle, topic);
    if (phantoms.length > 0) swept += await handle.redis.srem(handle.keys.intakeInflight(topic), ...phantoms);
  }
  return swept;
}
