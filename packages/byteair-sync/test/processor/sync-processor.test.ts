import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { ByteairClient, clientOptionsFrom } from '../../src/byteair/client.js';
import { UpstreamUnavailableError } from '../../src/byteair/api-errors.js';
import { systemClock } from '../../src/clock.js';
import { NO_FAULTS, startEmulator, type RunningEmulator } from 'byteair-emulator';
import { createCircuitBreaker } from '../../src/limiter/circuit-breaker.js';
import { createRateLimiter } from '../../src/limiter/sliding-window-limiter.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { SyncMetrics } from '../../src/observability/sync-metrics.js';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import { SlotPreemption } from '../../src/processor/slot-preemption.js';
import { createSyncProcessor, type SyncJobResult, type SyncProcessor } from '../../src/processor/sync-processor.js';
import { JOB_DATA_VERSION, type WriteJobData } from '../../src/queue/job-data.js';
import { DONE_QUEUE, UPLOAD_QUEUE } from '../../src/queue/sync-queue.js';
import { INTAKE_MARK_IN_FLIGHT } from '../../src/streaming/intake-scripts.js';
import { RedisStreamSettlement } from '../../src/streaming/stream-settlement.js';
import { eventually } from '../../../../test/support/eventually.js';
import { monitorJobEvents } from '../../../../test/support/job-events.js';
import { emulatorEnv, TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID, testPipeline, type TestPipeline } from '../../../../test/support/pipeline.js';
import { startTestRedis, uniquePrefix, type TestRedis } from '../../../../test/support/redis.js';

/**
 * createSyncProcessor, outcome by outcome: a real job fetched from BullMQ (by a worker that
 * does not run, so the test holds its lock and calls the processor itself), the real limiter,
 * circuit, stores and stage guard in a real Redis, and the emulator over real HTTP. Each test
 * checks what the processor returns or throws (the BullMQ action), what reached the API, and
 * what it left in Redis: job state, batch, blob, rejected records, queue pause, Done job.
 */
let redis: TestRedis;
let emulator: RunningEmulator;

beforeAll(async () => {
  redis = await startTestRedis('proc');
  emulator = await startEmulator({
    tenants: [{ tenantId: TEST_TENANT_ID, applicationId: TEST_APPLICATION_ID, ak: TEST_AK, sk: TEST_SK }],
    streamingOnlyTopics: ['behavior'],
  });
});
afterAll(async () => {
  await emulator.close();
  await redis.stop();
});
afterEach(() => {
  emulator.setFaults(NO_FAULTS);
});

/** The metrics the processor reports, as calls in order. */
class RecordedMetrics implements SyncMetrics {
  readonly calls: string[] = [];
  apiCall(labels: { kind: string; topic: string; stage: string; outcome: string }, records: number): void {
    this.calls.push(`api ${labels.kind} ${labels.topic} ${labels.stage} ${labels.outcome} ${records}`);
  }
  rejectedRecords(topic: string, stage: string, count: number): void {
    this.calls.push(`rejected ${topic} ${stage} ${count}`);
  }
  limiterWait(): void {
    // the wait's length is the machine's, not the test's
  }
  guardHold(topic: string, stage: string): void {
    this.calls.push(`hold ${topic} ${stage}`);
  }
  unexpectedAnswer(labels: { kind: string; answer: string }): void {
    this.calls.push(`unexpected ${labels.kind} ${labels.answer}`);
  }
}

interface Fixture {
  readonly p: TestPipeline;
  readonly ops: OperationsHandle;
  readonly process: SyncProcessor;
  readonly metrics: RecordedMetrics;
  readonly preemption: SlotPreemption;
  readonly circuit: ReturnType<typeof createCircuitBreaker>;
  readonly limiter: ReturnType<typeof createRateLimiter>;
  /** The next job of a queue, active under `token` and held by this test. */
  next(queue: 'upload' | 'done'): Promise<Job>;
  readonly token: string;
  close(): Promise<void>;
}

/** A keyspace of the test's own on the file's Redis, wired as workers/sync-worker.ts wires it. */
async function fixture(env: Record<string, string> = {}): Promise<Fixture> {
  const p = testPipeline(redis, {
    ...emulatorEnv(emulator),
    BYTEAIR_REDIS_PREFIX: uniquePrefix('proc'),
    BYTEAIR_DATE_ZONE: 'UTC',
    BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior',
    BYTEAIR_REQUEST_TIMEOUT_MS: '5000',
    ...env,
  });
  // As a worker does at start: the topics' modes (streaming-only, ...) are declared to the guard.
  await p.guard.declareModes();
  const ops = openOperations(p.config, { redis: p.redis });
  const api = new ByteairClient(clientOptionsFrom(p.config, systemClock, Math.random));
  const metrics = new RecordedMetrics();
  const preemption = new SlotPreemption();
  const limiter = createRateLimiter(p.redis, p.keys, p.config.limits);
  const circuit = createCircuitBreaker(p.redis, p.keys, p.config.circuit);
  const process = createSyncProcessor({
    api,
    limiter,
    circuit,
    blobs: p.blobs,
    batches: p.batches,
    rejected: p.rejected,
    gate: p.guard,
    enqueuer: p.enqueuer,
    streams: new RedisStreamSettlement(p.redis, p.keys, 3_600_000),
    clock: systemClock,
    logger: silentLogger(),
    metrics,
    holdRecheckMs: 600_000,
    preemption,
  });
  const token = randomUUID();
  const workers = {
    upload: new Worker(UPLOAD_QUEUE, null, { connection: redis.client(), prefix: p.keys.tag, autorun: false }),
    done: new Worker(DONE_QUEUE, null, { connection: redis.client(), prefix: p.keys.tag, autorun: false }),
  };
  return {
    p,
    ops,
    process,
    metrics,
    preemption,
    circuit,
    limiter,
    token,
    next: async (queue) => {
      const job = (await workers[queue].getNextJob(token)) as Job | undefined;
      if (job === undefined) throw new Error(`no ${queue} job to fetch`);
      return job;
    },
    close: async () => {
      api.close();
      await workers.upload.close();
      await workers.done.close();
      await ops.close();
      await p.close();
    },
  };
}

async function thrown(action: Promise<SyncJobResult>): Promise<unknown> {
  try {
    await action;
  } catch (error) {
    return error;
  }
  throw new Error('the processor returned instead of throwing');
}

function items(tag: string, count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({ id: `${tag}-${i}`, title: `item ${i}` }));
}

/** Requests of one Request-Id that reached the emulator. */
function arrivalsOf(requestId: string): number {
  return emulator.arrivals().filter((a) => a.requestId === requestId).length;
}

/** One sealed one-chunk history batch; its write job is the next upload job. */
async function oneChunkBatch(f: Fixture, date: string, records: ReadonlyArray<Record<string, unknown>>): Promise<{ job: Job; data: WriteJobData }> {
  const batch = await f.ops.producer.batch('item', 'history_sync', date);
  await batch.add(records);
  await batch.seal();
  const job = await f.next('upload');
  return { job, data: job.data as WriteJobData };
}

/** A streaming chunk as the batcher makes one (blob + job), for `topic`. */
async function streamingChunk(f: Fixture, topic: string, records: ReadonlyArray<Record<string, unknown>>): Promise<{ job: Job; data: WriteJobData }> {
  const requestId = `stream-${randomUUID()}`;
  const json = JSON.stringify(records);
  const blobKey = await f.p.blobs.put(requestId, gzipSync(json));
  const data: WriteJobData = {
    v: JOB_DATA_VERSION,
    kind: 'write',
    topic,
    stage: 'incremental_sync_streaming',
    date: null,
    requestId,
    blobKey,
    records: records.length,
    bytes: json.length,
    batchId: null,
    enqueuedAt: Date.now(),
  };
  await f.p.enqueuer.addWrites([data]);
  const job = await f.next('upload');
  return { job, data };
}

test('accepted: the records reach the API once, the chunk settles, its blob goes, and the last chunk of a sealed batch queues its Done', async () => {
  const f = await fixture();
  try {
    const { job, data } = await oneChunkBatch(f, '2022-03-01', items('acc', 40));
    expect(await f.process(job, f.token)).toEqual({ outcome: 'accepted', records: 40, rejected: 0 });
    expect(arrivalsOf(data.requestId)).toBe(1);
    expect([...emulator.ledger('item')].filter(([id, n]) => id.startsWith('acc-') && n === 1)).toHaveLength(40);
    const status = await f.p.batches.status(data.batchId ?? '');
    expect(status).toMatchObject({ state: 'done-due', failedChunks: [] });
    expect(await f.p.blobs.get(data.blobKey)).toBeNull();
    const done = await f.next('done');
    expect(done.data).toMatchObject({ kind: 'done', topic: 'item', stage: 'history_sync', date: '2022-03-01', batchId: data.batchId });
    expect(f.metrics.calls).toEqual(['api write item history_sync accepted 40']);
  } finally {
    await f.close();
  }
});

test('partial: the rejected records are stored under the Request-Id and counted; the rest settle as accepted', async () => {
  const f = await fixture();
  try {
    emulator.setFaults({ recordRejections: [{ topic: 'item', field: 'id', matches: '^part-[0-4]$', reason: 'bad id' }] });
    const { job, data } = await oneChunkBatch(f, '2022-03-02', items('part', 20));
    expect(await f.process(job, f.token)).toEqual({ outcome: 'partial', records: 20, rejected: 5 });
    expect(await f.p.rejected.countFor(data.batchId ?? '', data.requestId)).toBe(5);
    expect(await f.p.batches.status(data.batchId ?? '')).toMatchObject({ state: 'done-due' });
    expect(f.metrics.calls).toEqual(['api write item history_sync partial 20', 'rejected item history_sync 5']);
  } finally {
    await f.close();
  }
});

test('duplicate: a chunk the API already has (an earlier run landed, then the worker died) settles without a second copy', async () => {
  const f = await fixture();
  try {
    const { job, data } = await oneChunkBatch(f, '2022-03-03', items('dup', 10));
    // The earlier run: the same request, sent and applied, its answer never used.
    const body = await f.p.blobs.get(data.blobKey);
    const earlier = new ByteairClient(clientOptionsFrom(f.p.config, systemClock, Math.random));
    try {
      const first = await earlier.writeData({
        topic: 'item',
        stage: 'history_sync',
        date: '2022-03-03',
        requestId: data.requestId,
        body: body ?? Buffer.alloc(0),
      });
      expect(first.result.kind).toBe('accepted');
    } finally {
      earlier.close();
    }
    expect(await f.process(job, f.token)).toEqual({ outcome: 'duplicate', records: 10, rejected: 0 });
    expect([...emulator.ledger('item')].filter(([id]) => id.startsWith('dup-')).every(([, n]) => n === 1)).toBe(true);
    expect(await f.p.batches.status(data.batchId ?? '')).toMatchObject({ state: 'done-due' });
  } finally {
    await f.close();
  }
});

test('already settled: a re-run after a crash between settling and completing sends nothing', async () => {
  const f = await fixture();
  try {
    const { job, data } = await oneChunkBatch(f, '2022-03-04', items('again', 5));
    await f.process(job, f.token);
    expect(await f.process(job, f.token)).toEqual({ outcome: 'already-settled', records: 5 });
    expect(arrivalsOf(data.requestId)).toBe(1);
  } finally {
    await f.close();
  }
});

test('blob missing: fails for good with BLOB_MISSING, recorded on the batch, nothing sent', async () => {
  const f = await fixture();
  try {
    const { job, data } = await oneChunkBatch(f, '2022-03-05', items('gone', 5));
    await f.p.blobs.delete(data.blobKey);
    const error = await thrown(f.process(job, f.token));
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/^BLOB_MISSING: /);
    const status = await f.p.batches.status(data.batchId ?? '');
    expect(status?.failedChunks.map((c) => [c.requestId, c.reason.slice(0, 13)])).toEqual([[data.requestId, 'BLOB_MISSING:']]);
    expect(arrivalsOf(data.requestId)).toBe(0);
  } finally {
    await f.close();
  }
});

test("a streaming chunk that fails for good no longer counts in flight, so it cannot hold its topic's batcher back", async () => {
  const f = await fixture();
  try {
    const { job, data } = await streamingChunk(f, 'behavior', [{ id: 'b-1' }]);
    // Counted in flight as the batcher counts a cut before its job exists.
    await INTAKE_MARK_IN_FLIGHT.run(f.p.redis, [f.p.keys.intakeInflight('behavior'), f.p.keys.intakeSettled('behavior')], [data.requestId]);
    await f.p.blobs.delete(data.blobKey);
    expect(await thrown(f.process(job, f.token))).toBeInstanceOf(UnrecoverableError);
    expect(await f.p.redis.smembers(f.p.keys.intakeInflight('behavior'))).toEqual([]);
  } finally {
    await f.close();
  }
});

test('job data it cannot read: fails for good naming the field, nothing sent', async () => {
  const f = await fixture();
  try {
    await f.p.queues.upload.add('write', { v: JOB_DATA_VERSION, kind: 'write', topic: 'item', requestId: 'r-bad', enqueuedAt: 1 });
    const job = await f.next('upload');
    const error = await thrown(f.process(job, f.token));
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toBe('invalid job data: stage undefined');
  } finally {
    await f.close();
  }
});

test('refused by the stage guard (daily data for a streaming-only topic): fails for good with STAGE_ORDER, nothing sent', async () => {
  const f = await fixture();
  try {
    const requestId = `daily-${randomUUID()}`;
    const blobKey = await f.p.blobs.put(requestId, gzipSync('[{"id":"x"}]'));
    await f.p.enqueuer.addWrites([
      {
        v: JOB_DATA_VERSION,
        kind: 'write',
        topic: 'behavior',
        stage: 'incremental_sync_daily',
        date: '2022-03-06',
        requestId,
        blobKey,
        records: 1,
        bytes: 12,
        batchId: 'no-such-batch',
        enqueuedAt: 1,
      },
    ]);
    const job = await f.next('upload');
    const error = await thrown(f.process(job, f.token));
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/^STAGE_ORDER: topic "behavior" is streaming-only/);
    expect(arrivalsOf(requestId)).toBe(0);
  } finally {
    await f.close();
  }
});

test('held by the stage guard (streaming before the first daily Done): parked delayed, no attempt spent; the daily Done releases it', async () => {
  const f = await fixture();
  const events = await monitorJobEvents(UPLOAD_QUEUE, { connection: redis.client(), prefix: f.p.keys.tag });
  try {
    const { job, data } = await streamingChunk(f, 'item', items('held', 3));
    expect(await thrown(f.process(job, f.token))).toBeInstanceOf(DelayedError);
    expect(await f.p.queues.upload.getJobState(job.id ?? '')).toBe('delayed');
    expect(f.metrics.calls).toEqual(['hold item incremental_sync_streaming']);
    expect(arrivalsOf(data.requestId)).toBe(0);
    const delayed = await events.next(job.id ?? '', ['delayed']);
    await f.p.guard.onDoneAcknowledged('item', 'incremental_sync_daily', '2022-03-07');
    // Released: the job's next event is its return to the queue, after the delay it was parked with.
    const released = await events.first(
      (e) => e.jobId === job.id && e.name === 'waiting' && e.streamId > delayed.streamId,
      `job ${job.id ?? ''} to be released`,
    );
    expect(released.prev).toBe('delayed');
    expect((await f.p.queues.upload.getJob(job.id ?? ''))?.attemptsMade).toBe(0);
  } finally {
    await events.close();
    await f.close();
  }
});

test('circuit open: every queue pauses for the rest of the cooldown, the job goes back without an attempt, nothing sent', async () => {
  const f = await fixture({ BYTEAIR_CIRCUIT_THRESHOLD: '1', BYTEAIR_CIRCUIT_COOLDOWN_MS: '60000', BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS: '60000' });
  try {
    await f.circuit.recordFailure(await f.circuit.admit());
    const { job, data } = await oneChunkBatch(f, '2022-03-08', items('open', 5));
    expect(await thrown(f.process(job, f.token))).toEqual(Worker.RateLimitError());
    expect(await f.p.queues.upload.getRateLimitTtl()).toBeGreaterThan(30_000);
    expect(await f.p.queues.done.getRateLimitTtl()).toBeGreaterThan(30_000);
    expect(arrivalsOf(data.requestId)).toBe(0);
  } finally {
    await f.close();
  }
});

test('the probe that gets an answer closes the circuit and lifts the pause at once', async () => {
  const f = await fixture({ BYTEAIR_CIRCUIT_THRESHOLD: '1', BYTEAIR_CIRCUIT_COOLDOWN_MS: '10', BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS: '10' });
  try {
    const { job } = await oneChunkBatch(f, '2022-03-09', items('probe', 5));
    await f.circuit.recordFailure(await f.circuit.admit());
    // The pause an open circuit leaves behind, far longer than the cooldown.
    await f.p.enqueuer.pauseAll(60_000);
    // The cooldown has run out on the Redis clock: the next caller is the probe.
    const { reopensAt } = await f.circuit.snapshot();
    await eventually(async () => (await redisNowMs(f)) >= reopensAt, 'the cooldown to pass on the Redis clock', 20_000, 10);
    expect(await f.process(job, f.token)).toMatchObject({ outcome: 'accepted' });
    expect((await f.circuit.snapshot()).state).toBe('closed');
    expect(await f.p.queues.upload.getRateLimitTtl()).toBeLessThanOrEqual(0);
    expect(await f.p.queues.done.getRateLimitTtl()).toBeLessThanOrEqual(0);
  } finally {
    await f.close();
  }
});

test('the API unavailable: the circuit counts it, the attempt is spent (the error goes to BullMQ), and on the last attempt the batch records the failure', async () => {
  const f = await fixture({ BYTEAIR_ATTEMPTS: '2' });
  try {
    emulator.setFaults({ p503: 1 });
    const { job, data } = await oneChunkBatch(f, '2022-03-10', items('down', 5));
    const error = await thrown(f.process(job, f.token));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((await f.circuit.snapshot()).consecutiveFailures).toBe(1);
    expect((await f.p.batches.status(data.batchId ?? ''))?.failedChunks).toEqual([]);
    // The second and last attempt.
    job.attemptsMade = 1;
    await thrown(f.process(job, f.token));
    const failed = (await f.p.batches.status(data.batchId ?? ''))?.failedChunks ?? [];
    expect(failed.map((c) => c.requestId)).toEqual([data.requestId]);
    expect(failed[0]?.reason).toMatch(/^UPSTREAM_UNAVAILABLE: /);
    expect(f.metrics.calls).toEqual(['api write item history_sync upstream_unavailable 5', 'api write item history_sync upstream_unavailable 5']);
  } finally {
    await f.close();
  }
});

test('credentials refused: fails for good with the reason, on the batch, the circuit counting an answer', async () => {
  const f = await fixture({ BYTEAIR_SK: 'not-the-secret-key' });
  try {
    const { job, data } = await oneChunkBatch(f, '2022-03-11', items('auth', 5));
    const error = await thrown(f.process(job, f.token));
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/^AUTH_REJECTED: /);
    expect((await f.p.batches.status(data.batchId ?? ''))?.failedChunks.map((c) => c.reason)).toEqual([(error as Error).message]);
    expect((await f.circuit.snapshot()).consecutiveFailures).toBe(0);
  } finally {
    await f.close();
  }
});

async function redisNowMs(f: Fixture): Promise<number> {
  const [seconds, micros] = await f.p.redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** The limiter full for about a window: a job that asks now waits for its grant. */
async function fillLimiter(f: Fixture): Promise<void> {
  await f.limiter.acquire(1, 'streaming');
}

test('preempted while waiting for the limiter: the slot goes back (job waiting, no attempt spent), nothing sent', async () => {
  const f = await fixture({ BYTEAIR_MAX_REQUESTS_PER_SECOND: '1', BYTEAIR_LIMITER_MARGIN_MS: '1000' });
  try {
    const { job, data } = await oneChunkBatch(f, '2022-03-12', items('pre', 5));
    await fillLimiter(f);
    const running = thrown(f.process(job, f.token));
    // The job has entered the limiter wait (the preemption census counts it): ask it to give its slot back.
    await eventually(() => f.preemption.waiting === 1, 'the job to wait for the limiter', 20_000, 10);
    expect(f.preemption.preempt(1)).toBe(1);
    expect(await running).toBeInstanceOf(WaitingError);
    // Back in the queue at its priority, the attempt not counted.
    expect(await f.p.queues.upload.getJobState(job.id ?? '')).toBe('prioritized');
    expect((await f.p.queues.upload.getJob(job.id ?? ''))?.attemptsMade).toBe(0);
    expect(arrivalsOf(data.requestId)).toBe(0);
    expect(f.metrics.calls).toEqual([]);
  } finally {
    await f.close();
  }
});

test('aborted at the shutdown deadline while waiting for the limiter: back to waiting, no attempt spent, nothing sent', async () => {
  const f = await fixture({ BYTEAIR_MAX_REQUESTS_PER_SECOND: '1', BYTEAIR_LIMITER_MARGIN_MS: '1000' });
  try {
    const { job, data } = await oneChunkBatch(f, '2022-03-13', items('abort', 5));
    await fillLimiter(f);
    const shutdown = new AbortController();
    const running = thrown(f.process(job, f.token, shutdown.signal));
    await eventually(() => f.preemption.waiting === 1, 'the job to wait for the limiter', 20_000, 10);
    shutdown.abort(new Error('shutdown deadline'));
    expect(await running).toBeInstanceOf(WaitingError);
    // Back in the queue at its priority, the attempt not counted.
    expect(await f.p.queues.upload.getJobState(job.id ?? '')).toBe('prioritized');
    expect((await f.p.queues.upload.getJob(job.id ?? ''))?.attemptsMade).toBe(0);
    expect(arrivalsOf(data.requestId)).toBe(0);
  } finally {
    await f.close();
  }
});

test('Done: sent once every chunk settled, the batch becomes done-acked; a re-run says already acknowledged', async () => {
  const f = await fixture();
  try {
    const { job } = await oneChunkBatch(f, '2022-03-14', items('done', 5));
    await f.process(job, f.token);
    const done = await f.next('done');
    expect(await f.process(done, f.token)).toEqual({ outcome: 'done-acknowledged' });
    expect(emulator.stats().dones.filter((d) => d.topic === 'item' && d.stage === 'history_sync' && d.dates.includes('2022-03-14'))).toHaveLength(1);
    expect((await f.p.batches.status((done.data as { batchId: string }).batchId))?.state).toBe('done-acked');
    expect(await f.process(done, f.token)).toEqual({ outcome: 'already-acknowledged' });
    expect(emulator.stats().dones.filter((d) => d.dates.includes('2022-03-14'))).toHaveLength(1);
  } finally {
    await f.close();
  }
});

test('Done of a daily batch releases the streaming the guard held for the topic', async () => {
  const f = await fixture();
  try {
    const { job: held } = await streamingChunk(f, 'user', [{ user_id: 'u-held' }]);
    await thrown(f.process(held, f.token));
    const batch = await f.ops.producer.batch('user', 'incremental_sync_daily', '2022-03-15');
    await batch.add([{ user_id: 'u-daily' }]);
    await batch.seal();
    const write = await f.next('upload');
    await f.process(write, f.token);
    await f.process(await f.next('done'), f.token);
    // Back in the queue, at streaming priority.
    expect(await f.p.queues.upload.getJobState(held.id ?? '')).toBe('prioritized');
  } finally {
    await f.close();
  }
});

test.each([
  ['a batch that does not exist', 'BATCH_NOT_FOUND: '],
  ['a batch not yet sealed', 'DONE_TOO_EARLY: '],
])('Done for %s: fails for good, nothing sent', async (label, reason) => {
  const f = await fixture();
  try {
    const date = label.includes('sealed') ? '2022-03-16' : '2022-03-17';
    if (label.includes('sealed')) await (await f.ops.producer.batch('item', 'history_sync', date)).add(items('unsealed', 3));
    await f.p.enqueuer.addDone({ topic: 'item', stage: 'history_sync', date });
    const done = await f.next('done');
    const error = await thrown(f.process(done, f.token));
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message.startsWith(reason)).toBe(true);
    expect(emulator.stats().dones.filter((d) => d.dates.includes(date))).toEqual([]);
  } finally {
    await f.close();
  }
});
