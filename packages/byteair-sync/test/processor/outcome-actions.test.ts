import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import {
  AuthRejectedError,
  RateLimitedError,
  RequestAbortedError,
  RequestRejectedError,
  StageRejectedError,
  UnexpectedAnswerError,
  UpstreamUnavailableError,
} from '../../src/byteair/api-errors.js';
import { createCircuitBreaker } from '../../src/limiter/circuit-breaker.js';
import { createRateLimiter } from '../../src/limiter/sliding-window-limiter.js';
import { actOnFailure, DEFAULT_RATE_LIMIT_PAUSE_MS, holdUntil, type ActionContext } from '../../src/processor/outcome-actions.js';
import { Keyspace } from '../../src/redis/keyspace.js';
import { startTestRedis, uniquePrefix, type TestRedis } from '../../../../test/support/redis.js';

/**
 * actOnFailure, outcome by outcome, on real BullMQ jobs in a real Redis with the real limiter
 * and circuit breaker: what it throws (the BullMQ action), what it leaves in Redis (job state,
 * attempts, queue pause, circuit, ceiling) and whether it calls the job's final failure.
 */
let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis('outcomes');
});
afterAll(async () => {
  await redis.stop();
});

interface Fixture {
  readonly ctx: ActionContext;
  readonly queue: Queue;
  readonly job: Job;
  readonly finalFailures: string[];
  readonly circuit: ReturnType<typeof createCircuitBreaker>;
  readonly limiter: ReturnType<typeof createRateLimiter>;
  close(): Promise<void>;
}

/** One active job (fetched by a worker that does not run, so this test holds its lock), attempt `attemptsMade + 1` of `attempts`. */
async function fixture(options: { attempts?: number; attemptsMade?: number; circuitThreshold?: number } = {}): Promise<Fixture> {
  const keys = new Keyspace(uniquePrefix('act'));
  const client = redis.client();
  const queue = new Queue('upload', { connection: client, prefix: keys.tag });
  await queue.add('write', { n: 1 }, { attempts: options.attempts ?? 3 });
  const worker = new Worker('upload', null, { connection: redis.client(), prefix: keys.tag, autorun: false });
  const token = randomUUID();
  const job = (await worker.getNextJob(token)) as Job | undefined;
  if (job === undefined) throw new Error('no job fetched');
  // attemptsMade as BullMQ keeps it: the attempts before this one.
  job.attemptsMade = options.attemptsMade ?? 0;
  const finalFailures: string[] = [];
  const circuit = createCircuitBreaker(client, keys, { threshold: options.circuitThreshold ?? 5, cooldownMs: 1_000, maxCooldownMs: 5_000 });
  const limiter = createRateLimiter(client, keys, {
    maxRequestsPerSecond: 100,
    maxRecordsPerSecond: 50_000,
    maxRecordsPerRequest: 10_000,
    maxRequestBytes: 1 << 20,
    marginMs: 30,
    marginCapMs: 250,
  });
  const ctx: ActionContext = {
    job,
    token,
    limiter,
    circuit,
    pauseQueue: async (ms) => await queue.rateLimit(ms),
    onFinalFailure: (reason) => {
      finalFailures.push(reason);
      return Promise.resolve();
    },
    now: () => Date.now(),
  };
  return {
    ctx,
    queue,
    job,
    finalFailures,
    circuit,
    limiter,
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}

async function thrown(action: Promise<never>): Promise<unknown> {
  try {
    await action;
  } catch (error) {
    return error;
  }
  throw new Error('the action returned instead of throwing');
}

test('aborted at the shutdown deadline: back to waiting, no attempt spent, not final', async () => {
  const f = await fixture();
  try {
    const admission = await f.circuit.admit();
    expect(await thrown(actOnFailure(f.ctx, new RequestAbortedError('aborted'), admission))).toBeInstanceOf(WaitingError);
    expect(await f.queue.getJobState(f.job.id ?? '')).toBe('waiting');
    expect(f.finalFailures).toEqual([]);
  } finally {
    await f.close();
  }
});

test('429 with Retry-After: everyone pauses that long, the ceiling drops, the circuit counts a success, no attempt spent', async () => {
  const f = await fixture();
  try {
    await f.circuit.recordFailure(await f.circuit.admit());
    const admission = await f.circuit.admit();
    const error = await thrown(actOnFailure(f.ctx, new RateLimitedError(2_000, 'slow down'), admission));
    expect(error).toEqual(Worker.RateLimitError());
    const ttl = await f.queue.getRateLimitTtl();
    expect(ttl).toBeGreaterThan(1_000);
    expect(ttl).toBeLessThanOrEqual(2_000);
    expect((await f.limiter.usage()).ceilingFactor).toBeLessThan(1);
    expect((await f.circuit.snapshot()).consecutiveFailures).toBe(0);
    expect(f.finalFailures).toEqual([]);
  } finally {
    await f.close();
  }
});

test('429 without Retry-After pauses for the default', async () => {
  const f = await fixture();
  try {
    await thrown(actOnFailure(f.ctx, new RateLimitedError(undefined, 'slow down'), undefined));
    const ttl = await f.queue.getRateLimitTtl();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(DEFAULT_RATE_LIMIT_PAUSE_MS);
  } finally {
    await f.close();
  }
});

test('unavailable below the threshold: the circuit counts it and the attempt is spent (the error goes to BullMQ backoff)', async () => {
  const f = await fixture();
  try {
    const error = new UpstreamUnavailableError('server-error', 'HTTP 503');
    expect(await thrown(actOnFailure(f.ctx, error, await f.circuit.admit()))).toBe(error);
    expect((await f.circuit.snapshot()).consecutiveFailures).toBe(1);
    expect(await f.queue.getRateLimitTtl()).toBeLessThanOrEqual(0);
    expect(f.finalFailures).toEqual([]);
  } finally {
    await f.close();
  }
});

test('unavailable that opens the circuit: everyone pauses until the probe, no attempt spent', async () => {
  const f = await fixture({ circuitThreshold: 1, attempts: 1 });
  try {
    const error = await thrown(actOnFailure(f.ctx, new UpstreamUnavailableError('refused', 'ECONNREFUSED'), await f.circuit.admit()));
    expect(error).toEqual(Worker.RateLimitError());
    expect((await f.circuit.snapshot()).state).toBe('open');
    expect(await f.queue.getRateLimitTtl()).toBeGreaterThan(0);
    // Even on its last attempt: an outage never fails a job.
    expect(f.finalFailures).toEqual([]);
  } finally {
    await f.close();
  }
});

test('an unexpected answer spends the attempt; the circuit counts a success; on the last attempt it is final, with the answer in the reason', async () => {
  const early = await fixture({ attempts: 3, attemptsMade: 0 });
  try {
    await early.circuit.recordFailure(await early.circuit.admit());
    expect((await early.circuit.snapshot()).consecutiveFailures).toBe(1);
    const error = new UnexpectedAnswerError('http-status', 'HTTP 404 from the gateway', { httpStatus: 404 });
    expect(await thrown(actOnFailure(early.ctx, error, await early.circuit.admit()))).toBe(error);
    expect(early.finalFailures).toEqual([]);
    expect((await early.circuit.snapshot()).consecutiveFailures).toBe(0);
  } finally {
    await early.close();
  }
  const last = await fixture({ attempts: 3, attemptsMade: 2 });
  try {
    await thrown(actOnFailure(last.ctx, new UnexpectedAnswerError('empty-body', 'HTTP 200 with no body'), undefined));
    expect(last.finalFailures).toEqual(['UNEXPECTED_ANSWER: HTTP 200 with no body']);
  } finally {
    await last.close();
  }
});

test('"data cleaning" (a retryable 400) spends an attempt like an unexpected answer', async () => {
  const f = await fixture();
  try {
    const error = new StageRejectedError('data cleaning in progress');
    expect(await thrown(actOnFailure(f.ctx, error, undefined))).toBe(error);
    expect(f.finalFailures).toEqual([]);
  } finally {
    await f.close();
  }
});

test.each([
  ['auth refused', new AuthRejectedError('signature does not match'), 'AUTH_REJECTED: signature does not match'],
  ['stage closed', new StageRejectedError('stage is not open'), 'STAGE_REJECTED: API rejected the request (400): stage is not open'],
  ['another 4xx', new RequestRejectedError(413, 'too large'), 'REQUEST_REJECTED: API rejected the request (413): too large'],
])('%s: fails now (UnrecoverableError) with the reason, however many attempts are left', async (_label, error, reason) => {
  const f = await fixture({ attempts: 20 });
  try {
    const action = await thrown(actOnFailure(f.ctx, error, await f.circuit.admit()));
    expect(action).toBeInstanceOf(UnrecoverableError);
    expect((action as Error).message).toBe(reason);
    expect(f.finalFailures).toEqual([reason]);
  } finally {
    await f.close();
  }
});

test('anything else (a Redis hiccup, a bug) spends an attempt and is final on the last one', async () => {
  const f = await fixture({ attempts: 2, attemptsMade: 1 });
  try {
    const error = new Error('READONLY You cannot write against a read only replica');
    expect(await thrown(actOnFailure(f.ctx, error, undefined))).toBe(error);
    expect(f.finalFailures).toEqual([error.message]);
  } finally {
    await f.close();
  }
});

test('holdUntil parks the job delayed; if the hold already ended, the job promotes itself', async () => {
  const held = await fixture();
  try {
    expect(await thrown(holdUntil(held.ctx, Date.now() + 60_000, () => Promise.resolve('held')))).toBeInstanceOf(DelayedError);
    expect(await held.queue.getJobState(held.job.id ?? '')).toBe('delayed');
  } finally {
    await held.close();
  }
  const released = await fixture();
  try {
    await thrown(holdUntil(released.ctx, Date.now() + 60_000, () => Promise.resolve('released')));
    expect(await released.queue.getJobState(released.job.id ?? '')).toBe('waiting');
  } finally {
    await released.close();
  }
});
