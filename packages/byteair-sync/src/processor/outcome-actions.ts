import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import {
  ApiError,
  AuthRejectedError,
  RateLimitedError,
  RequestAbortedError,
  RequestRejectedError,
  StageRejectedError,
  UnexpectedAnswerError,
  UpstreamUnavailableError,
} from '../byteair/api-errors.js';
import type { CircuitAdmission, CircuitBreaker, RateLimiter } from '../limiter/rate-limiter.js';

/**
 * The one place where typed outcomes become BullMQ actions (DESIGN.md, error taxonomy):
 *   429                      → every worker slows down (limiter AIMD + queue pause), no attempt spent
 *   5xx/408/timeout/reset/refused → circuit counts it; if the circuit is open, queue pause, no
 *                               attempt spent; otherwise the attempt is spent and backoff applies
 *   unexpected answer         → the API answered (circuit: success); the attempt is spent and
 *                               backoff applies, so an answer wrong every time fails the job
 *                               after its attempts instead of being probed forever
 *   auth / 4xx / stage        → fail now (UnrecoverableError), replayable later
 *   aborted (shutdown)        → straight back to wait, no attempt spent
 * Each function here ends the processor by throwing what BullMQ understands.
 */
export interface ActionContext {
  readonly job: Job;
  readonly token: string | undefined;
  readonly limiter: RateLimiter;
  readonly circuit: CircuitBreaker;
  /** Stops every worker from fetching for `ms` (BullMQ queue.rateLimit). */
  readonly pauseQueue: (ms: number) => Promise<void>;
  /** Called when this failure is final, with the reason the batch status shows. */
  readonly onFinalFailure: (reason: string) => Promise<void>;
  readonly now: () => number;
}

/** Pause after a 429 that gave no Retry-After. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 1_000;

export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Ends the job as failed for good. */
export async function failNow(ctx: ActionContext, reason: string): Promise<never> {
  await ctx.onFinalFailure(reason);
  throw new UnrecoverableError(reason);
}

/**
 * Parks the job until `until` (epoch ms) without spending an attempt. `park` registers it
 * with the guard only after it is delayed, so whoever lifts the hold can promote it; if the
 * hold ended in between, the job promotes itself.
 */
export async function holdUntil(ctx: ActionContext, until: number, park: () => Promise<'held' | 'released'>): Promise<never> {
  await ctx.job.moveToDelayed(until, ctx.token);
  if ((await park()) === 'released') await ctx.job.promote();
  throw new DelayedError();
}

/** Stops every worker from fetching for `ms` and puts this job back, without spending an attempt. */
export async function pauseEveryone(ctx: ActionContext, ms: number): Promise<never> {
  await ctx.pauseQueue(Math.max(1, Math.ceil(ms)));
  throw Worker.RateLimitError();
}

/**
 * Puts the job back in the queue, at the front of its priority, without spending an attempt:
 * at the shutdown deadline, and so that the worker takes a higher-priority job in this slot
 * (slot-preemption.ts).
 */
export async function giveSlotBack(ctx: ActionContext): Promise<never> {
  await ctx.job.moveToWait(ctx.token);
  throw new WaitingError();
}

export async function actOnFailure(ctx: ActionContext, error: unknown, admission: CircuitAdmission | undefined): Promise<never> {
  if (error instanceof RequestAbortedError) {
    // Shutdown deadline: the request may have landed; the same Request-Id makes the re-run safe.
    return await giveSlotBack(ctx);
  }
  if (error instanceof RateLimitedError) {
    // The API answered, so it is up: this is not a circuit failure (and it ends a probe).
    if (admission !== undefined) await ctx.circuit.recordSuccess(admission);
    await ctx.limiter.penalize(error.retryAfterMs);
    return await pauseEveryone(ctx, error.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
  }
  if (error instanceof UpstreamUnavailableError) {
    const circuit = admission === undefined ? { open: false, retryInMs: 0 } : await ctx.circuit.recordFailure(admission);
    if (circuit.open) return await pauseEveryone(ctx, circuit.retryInMs);
    return await spendAttempt(ctx, error);
  }
  if (error instanceof UnexpectedAnswerError || (error instanceof StageRejectedError && error.retryable)) {
    if (admission !== undefined) await ctx.circuit.recordSuccess(admission);
    return await spendAttempt(ctx, error);
  }
  if (error instanceof AuthRejectedError || error instanceof StageRejectedError || error instanceof RequestRejectedError) {
    if (admission !== undefined) await ctx.circuit.recordSuccess(admission);
    return await failNow(ctx, describeFailure(error));
  }
  // Anything else (Redis hiccup, a bug): spend an attempt, keep the error for the operator.
  return await spendAttempt(ctx, error);
}

async function spendAttempt(ctx: ActionContext, error: unknown): Promise<never> {
  const attempts = ctx.job.opts.attempts ?? 1;
  if (ctx.job.attemptsMade + 1 >= attempts) await ctx.onFinalFailure(describeFailure(error));
  throw error instanceof Error ? error : new Error(String(error));
}
