import type { Job } from 'bullmq';
import { RequestAbortedError, UnexpectedAnswerError } from '../byteair/api-errors.js';
import type { CallMeta, RejectedRecord } from '../byteair/api-result.js';
import type { UploadApi } from '../byteair/client.js';
import { isOfflineStage } from '../byteair/stage.js';
import type { Clock } from '../clock.js';
import type { BatchStore } from '../batches/batch-store.js';
import type { BlobStore } from '../batches/blob-store.js';
import { streamingOwner, type RejectedStore } from '../batches/rejected-store.js';
import type { UploadGate } from '../guard/upload-gate.js';
import type { CircuitAdmission, CircuitBreaker, LimiterGrantInfo, LimiterPriority, RateLimiter } from '../limiter/rate-limiter.js';
import type { Logger } from '../observability/logger.js';
import { publishSendTiming } from '../observability/send-timing.js';
import type { SyncMetrics } from '../observability/sync-metrics.js';
import { JobDataError, parseJobData, type DoneJobData, type WriteJobData } from '../queue/job-data.js';
import type { SyncEnqueuer } from '../queue/sync-enqueuer.js';
import { limiterPriorityOf } from '../queue/sync-queue.js';
import { actOnFailure, failNow, giveSlotBack, holdUntil, pauseEveryone, type ActionContext } from './outcome-actions.js';
import type { PreemptionTicket, SlotPreemption } from './slot-preemption.js';

/** What a finished job returns: small, because BullMQ copies it into events. */
export interface SyncJobResult {
  readonly outcome: 'accepted' | 'duplicate' | 'partial' | 'already-settled' | 'done-acknowledged' | 'already-acknowledged';
  readonly records?: number;
  readonly rejected?: number;
}

/** Settles streaming chunks (the batcher's bookkeeping); offline chunks settle into their batch. */
export interface StreamSettlement {
  settled(job: WriteJobData, acceptedRecords: number): Promise<void>;
  isSettled(job: WriteJobData): Promise<boolean>;
  failed(job: WriteJobData): Promise<void>;
}

export interface SyncProcessorDeps {
  readonly api: UploadApi;
  readonly limiter: RateLimiter;
  readonly circuit: CircuitBreaker;
  readonly blobs: BlobStore;
  readonly batches: BatchStore;
  readonly rejected: RejectedStore;
  readonly gate: UploadGate;
  readonly enqueuer: SyncEnqueuer;
  readonly streams: StreamSettlement;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: SyncMetrics;
  /** A held job re-checks by itself after this long, as a safety net behind the guard's release. */
  readonly holdRecheckMs: number;
  /** Offline writes waiting for the limiter register here, so a waiting streaming chunk can take their slot. */
  readonly preemption?: SlotPreemption;
}

export type SyncProcessor = (job: Job, token?: string, signal?: AbortSignal) => Promise<SyncJobResult>;

export function createSyncProcessor(deps: SyncProcessorDeps): SyncProcessor {
  return async (job, token, signal) => {
    let data: WriteJobData | DoneJobData | undefined;
    const ctx = actionContext(deps, job, token, () => data);
    try {
      data = parseJobData(job.data);
    } catch (error) {
      if (error instanceof JobDataError) return await failNow(ctx, error.message);
      throw error;
    }
    return data.kind === 'write' ? await processWrite(deps, ctx, data, signal) : await processDone(deps, ctx, data, signal);
  };
}

function actionContext(deps: SyncProcessorDeps, job: Job, token: string | undefined, current: () => WriteJobData | DoneJobData | undefined): ActionContext {
  return {
    job,
    token,
    limiter: deps.limiter,
    circuit: deps.circuit,
    pauseQueue: async (ms) => await deps.enqueuer.pauseAll(ms),
    now: () => deps.clock.now(),
    onFinalFailure: async (reason) => {
      const data = current();
      deps.logger.error({ jobId: job.id, requestId: data?.requestId, topic: data?.topic, stage: data?.stage, reason }, 'job failed for good');
      if (data?.kind !== 'write') return;
      if (data.batchId !== null) await deps.batches.recordChunkFailure(data.batchId, data.requestId, reason, deps.clock.now());
      else await deps.streams.failed(data);
    },
  };
}

async function processWrite(deps: SyncProcessorDeps, ctx: ActionContext, data: WriteJobData, signal: AbortSignal | undefined): Promise<SyncJobResult> {
  const decision = await deps.gate.admit(data, ctx.job.id ?? data.requestId);
  if (decision.kind === 'refuse') return await failNow(ctx, `STAGE_ORDER: ${decision.reason}`);
  if (decision.kind === 'hold') {
    deps.metrics.guardHold(data.topic, data.stage);
    return await holdUntil(ctx, deps.clock.now() + deps.holdRecheckMs, async () => await deps.gate.park(data, ctx.job.id ?? data.requestId));
  }
  // A re-run after a crash between settling and completing: the API already has it.
  const alreadySettled = data.batchId !== null ? await deps.batches.isChunkSettled(data.batchId, data.requestId) : await deps.streams.isSettled(data);
  if (alreadySettled) {
    await deps.blobs.delete(data.blobKey);
    return { outcome: 'already-settled', records: data.records };
  }
  const body = await deps.blobs.get(data.blobKey);
  if (body === null) return await failNow(ctx, `BLOB_MISSING: chunk body ${data.blobKey} is gone; re-add the batch's records to recreate it`);

  const admission = await admit(deps, ctx);
  // Streaming chunks are what preemption makes room for; they never give their own slot up.
  const preemptable = data.stage !== 'incremental_sync_streaming' ? deps.preemption : undefined;
  const gate = limiterGate(deps, data.requestId, data.records, limiterPriorityOf('write', data.stage), signal, preemptable);
  let sent;
  try {
    sent = await deps.api.writeData({
      topic: data.topic,
      stage: data.stage,
      date: data.date ?? undefined,
      requestId: data.requestId,
      body,
      beforeSend: gate.beforeSend,
      afterSend: gate.afterSend,
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    if (gate.preempted() && signal?.aborted !== true) {
      // Nothing was sent: the limiter wait was cut short and any booking given back. (As with
      // a shutdown abort, a probe admission is left to lapse: the API was not asked.)
      deps.logger.debug({ jobId: ctx.job.id, requestId: data.requestId, stage: data.stage }, 'slot given back to a waiting streaming chunk');
      return await giveSlotBack(ctx);
    }
    const failure = asAbortIfAborted(error, signal);
    countFailure(deps, 'write', data, failure);
    return await actOnFailure(ctx, failure, admission);
  }
  const { result, meta } = sent;
  await recordAnswered(deps, admission, meta);
  deps.metrics.apiCall({ kind: 'write', topic: data.topic, stage: data.stage, outcome: result.kind }, data.records, meta.latencyMs);

  const owner = data.batchId ?? streamingOwner(data.topic);
  const now = deps.clock.now();
  let rejected: readonly RejectedRecord[] = [];
  let rejectedCount = 0;
  if (result.kind === 'partial') {
    rejected = result.rejected;
    rejectedCount = rejected.length;
    // Stored before anything else, keyed by Request-Id: a re-run that now gets 409 still knows.
    await deps.rejected.store(owner, data.requestId, rejected, now);
    deps.metrics.rejectedRecords(data.topic, data.stage, rejectedCount);
  } else if (result.kind === 'duplicate') {
    rejectedCount = (await deps.rejected.countFor(owner, data.requestId)) ?? 0;
  }
  const accepted = Math.max(0, data.records - rejectedCount);

  if (data.batchId !== null && isOfflineStage(data.stage) && data.date !== null) {
    const settled = await deps.batches.settleChunk(
      data.batchId,
      data.requestId,
      { accepted, rejected: rejectedCount, duplicate: result.kind === 'duplicate' },
      now,
    );
    if (settled === 'done-due') await deps.enqueuer.addDone({ topic: data.topic, stage: data.stage, date: data.date });
  } else {
    await deps.streams.settled(data, accepted);
  }
  await deps.blobs.delete(data.blobKey);
  return { outcome: result.kind, records: data.records, rejected: rejectedCount };
}

async function processDone(deps: SyncProcessorDeps, ctx: ActionContext, data: DoneJobData, signal: AbortSignal | undefined): Promise<SyncJobResult> {
  const status = await deps.batches.status(data.batchId);
  if (status === null) return await failNow(ctx, `BATCH_NOT_FOUND: batch ${data.batchId} does not exist`);
  if (status.state === 'done-acked') return { outcome: 'already-acknowledged' };
  // Invariant 6: Done only after seal and after every chunk settled.
  if (status.state !== 'done-due') return await failNow(ctx, `DONE_TOO_EARLY: batch ${data.batchId} is ${status.state}, its Done may not be sent yet`);

  const admission = await admit(deps, ctx);
  const { beforeSend, afterSend } = limiterGate(deps, data.requestId, 0, 'done', signal);
  let sent;
  try {
    sent = await deps.api.done({
      topic: data.topic,
      stage: data.stage,
      dates: [data.date],
      requestId: data.requestId,
      beforeSend,
      afterSend,
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    const failure = asAbortIfAborted(error, signal);
    countFailure(deps, 'done', data, failure);
    return await actOnFailure(ctx, failure, admission);
  }
  await recordAnswered(deps, admission, sent.meta);
  deps.metrics.apiCall({ kind: 'done', topic: data.topic, stage: data.stage, outcome: sent.result.kind }, 0, sent.meta.latencyMs);
  const ref = { topic: data.topic, stage: data.stage, date: data.date };
  await deps.batches.markDoneAcknowledged(ref, deps.clock.now());
  await deps.gate.onDoneAcknowledged(data.topic, data.stage, data.date);
  return { outcome: 'done-acknowledged' };
}

/**
 * The global limiter's grant, taken inside the client right before the bytes go out (and
 * again for each host tried), and the send time reported back once they are out.
 */
function limiterGate(
  deps: SyncProcessorDeps,
  requestId: string,
  records: number,
  priority: LimiterPriority,
  signal: AbortSignal | undefined,
  preemption?: SlotPreemption,
): { beforeSend: () => Promise<void>; afterSend: () => void; preempted: () => boolean } {
  let grant: LimiterGrantInfo | undefined;
  let ticket: PreemptionTicket | undefined;
  return {
    beforeSend: async () => {
      const entered = preemption?.enter();
      ticket = entered;
      // The preemption signal cuts only the limiter wait, never a request on the wire. A job
      // stops being preemptable once it holds a booking: it goes within its horizon anyway, and
      // a booking given back that close to its start is a slot nobody else can use in time
      // (outage bench, drain as a share of the ceiling: preempting booked waiters too, 0.867 and
      // 0.885; unbooked only, median 0.888 of 4 runs; no preemption, 0.910; bench/RESULTS.md).
      const waitSignal = entered === undefined ? signal : signal === undefined ? entered.signal : AbortSignal.any([signal, entered.signal]);
      try {
        grant = await deps.limiter.acquire(records, priority, waitSignal, () => entered?.leave());
      } finally {
        entered?.leave();
      }
      deps.metrics.limiterWait(grant.waitedMs);
    },
    preempted: () => ticket?.preempted() === true,
    afterSend: () => {
      const taken = grant;
      if (taken === undefined) return;
      // Re-times a late send in the shared log at once; an error here must not fail the upload.
      taken
        .sent()
        .then(({ lateMs, displaced }) => {
          deps.logger.debug({ requestId, records, bookedAt: taken.startAt, lateMs, displaced }, 'request sent');
          publishSendTiming({ requestId, records, bookedAt: taken.startAt, confirmedAt: taken.confirmedAt, lateMs });
        })
        .catch((error: unknown) => deps.logger.warn({ err: error, requestId }, 'could not record the sending time'));
    },
  };
}

/**
 * The API answered. If this call was the circuit's probe, the outage is over: lift the queue
 * pause the open circuit set (up to BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS), so every worker drains
 * the backlog now instead of idling out the rest of that pause. The answer's timing teaches
 * the limiter how the path varies (its margin follows it).
 */
async function recordAnswered(deps: SyncProcessorDeps, admission: CircuitAdmission, meta: CallMeta): Promise<void> {
  await deps.circuit.recordSuccess(admission);
  if (admission.kind === 'probe') {
    await deps.enqueuer.liftPause();
    deps.logger.info('circuit closed: the API answered the probe; workers resume');
  }
  // Not awaited: the answer is in, and sharing its timing must neither delay nor fail the job.
  if (meta.answerMs !== undefined)
    deps.limiter
      .observeAnswer(meta.host, meta.answerMs, meta.continueMs)
      .catch((error: unknown) => deps.logger.warn({ err: error, host: meta.host }, 'could not pool the answer time with the other workers'));
}

/** Asks the circuit breaker; when it is open, the job waits without spending an attempt. */
async function admit(deps: SyncProcessorDeps, ctx: ActionContext): Promise<CircuitAdmission> {
  const admission = await deps.circuit.admit();
  if (admission.kind === 'open') return await pauseEveryone(ctx, admission.retryInMs);
  return admission;
}

/** Whatever threw once the shutdown deadline aborted the job (limiter wait or HTTP), it is an abort. */
function asAbortIfAborted(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted === true && !(error instanceof RequestAbortedError))
    return new RequestAbortedError('job aborted at the shutdown deadline', {}, { cause: error });
  return error;
}

function countFailure(deps: SyncProcessorDeps, kind: 'write' | 'done', data: WriteJobData | DoneJobData, failure: unknown): void {
  deps.metrics.apiCall({ kind, topic: data.topic, stage: data.stage, outcome: outcomeLabel(failure) }, data.kind === 'write' ? data.records : 0, 0);
  if (failure instanceof UnexpectedAnswerError) deps.metrics.unexpectedAnswer({ kind, topic: data.topic, stage: data.stage, answer: failure.label });
}

function outcomeLabel(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code.toLowerCase();
  return 'error';
}
