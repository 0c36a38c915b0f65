import { gunzipSync } from 'node:zlib';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/observability/logger.js';
import { parseJobData, type WriteJobData } from '../../src/queue/job-data.js';
import { streamingWriteRequestId } from '../../src/queue/request-id.js';
import { INTAKE_CUT, INTAKE_MARK_IN_FLIGHT } from '../../src/streaming/intake-scripts.js';
import { readIntakeStatus } from '../../src/streaming/intake-status.js';
import { IntakeFullError } from '../../src/streaming/intake-errors.js';
import { StreamBatcher } from '../../src/streaming/stream-batcher.js';
import { RedisStreamSettlement } from '../../src/streaming/stream-settlement.js';
import { UPLOAD_QUEUE } from '../../src/queue/sync-queue.js';
import { eventually } from '../../../../test/support/eventually.js';
import { monitorJobEvents } from '../../../../test/support/job-events.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { TEST_APPLICATION_ID, testPipeline, type TestPipeline } from '../../../../test/support/pipeline.js';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis('stream');
});
afterAll(async () => {
  await redis.stop();
});

/** Each test gets its own prefix (so its own intake and queues) on the file's Redis. */
async function withPipeline(env: Record<string, string>, fn: (p: TestPipeline) => Promise<void>): Promise<void> {
  const scoped = { ...redis, prefix: `${redis.prefix}-${Math.random().toString(36).slice(2, 8)}` };
  const pipeline = testPipeline(scoped, env);
  try {
    await fn(pipeline);
  } finally {
    await pipeline.close();
  }
}

function batcherFor(p: TestPipeline, overrides: { maxInFlight?: number; cutLeaseMs?: number } = {}): StreamBatcher {
  return new StreamBatcher({
    redis: p.redis,
    keys: p.keys,
    topics: p.config.topics,
    guard: p.guard,
    enqueuer: p.enqueuer,
    blobs: p.blobs,
    applicationId: TEST_APPLICATION_ID,
    policy: {
      batchSize: p.config.streaming.batchSize,
      maxWaitMs: p.config.streaming.maxWaitMs,
      maxRecordsPerRequest: p.config.limits.maxRecordsPerRequest,
      maxInFlight: overrides.maxInFlight ?? 4,
    },
    maxRequestBytes: p.config.limits.maxRequestBytes,
    clock: systemClock,
    logger: silentLogger(),
    ...(overrides.cutLeaseMs === undefined ? {} : { cutLeaseMs: overrides.cutLeaseMs }),
  });
}

async function streamingJobs(p: TestPipeline): Promise<WriteJobData[]> {
  const jobs = await p.queues.upload.getJobs(['prioritized', 'waiting', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((job) => parseJobData(job.data)).filter((d): d is WriteJobData => d.kind === 'write' && d.stage === 'incremental_sync_streaming');
}

async function recordsOf(p: TestPipeline, job: WriteJobData): Promise<Array<{ i: number }>> {
  const body = await p.blobs.get(job.blobKey);
  if (body === null) throw new Error(`no blob for ${job.requestId}`);
  return JSON.parse(gunzipSync(body).toString()) as Array<{ i: number }>;
}

function records(from: number, count: number): Array<{ i: number }> {
  return Array.from({ length: count }, (_, k) => ({ i: from + k }));
}

const STREAMING_ONLY = { BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior' };

test('push validates every record first and appends nothing when one is bad', async () => {
  await withPipeline({}, async (p) => {
    await expect(p.intake.push('behavior', [{ ok: 1 }, { bad: Number.NaN }])).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'records[1].bad' });
    await expect(p.intake.push('nope', [{ ok: 1 }])).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'topic' });
    expect(await p.redis.xlen(p.keys.intake('behavior'))).toBe(0);
    expect(await p.intake.push('behavior', { single: true })).toMatchObject({ accepted: 1 });
  });
});

test('a full intake refuses the push whole, never dropping what it holds', async () => {
  await withPipeline({ BYTEAIR_STREAM_INTAKE_CAP: '10' }, async (p) => {
    await p.intake.push('item', records(0, 8));
    const error = await p.intake.push('item', records(8, 5)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntakeFullError);
    expect(error).toMatchObject({ code: 'INTAKE_FULL', accepted: 0 });
    expect(await p.redis.xlen(p.keys.intake('item'))).toBe(8);
    await p.intake.push('item', records(8, 2));
    expect(await p.redis.xlen(p.keys.intake('item'))).toBe(10);
  });
});

test('streaming of a daily-then-streaming topic is held in the intake until the first daily Done, then cut', async () => {
  await withPipeline({}, async (p) => {
    const batcher = batcherFor(p);
    await p.intake.push('item', records(0, 1500));
    expect((await batcher.tick('item')).decision).toMatchObject({ kind: 'wait', why: 'held' });
    expect(await streamingJobs(p)).toHaveLength(0);
    await p.guard.onDoneAcknowledged('item', 'incremental_sync_daily', '2022-01-01');
    const tick = await batcher.tick('item');
    expect(tick.cutRecords).toBe(1500);
    const [job] = await streamingJobs(p);
    expect(job?.records).toBe(1500);
    expect((await recordsOf(p, job as WriteJobData)).map((r) => r.i)).toEqual(records(0, 1500).map((r) => r.i));
    expect(await p.redis.xlen(p.keys.intake('item'))).toBe(0);
  });
});

test('two batchers on one intake cut every record exactly once, in chunks up to the request maximum', async () => {
  await withPipeline(STREAMING_ONLY, async (p) => {
    const a = batcherFor(p, { maxInFlight: 1000 });
    const b = batcherFor(p, { maxInFlight: 1000 });
    const total = 47_000;
    for (let from = 0; from < total; from += 5_000) await p.intake.push('behavior', records(from, Math.min(5_000, total - from)));
    let cut = 0;
    while (cut < total) {
      const ticks = await Promise.all([a.tick('behavior'), b.tick('behavior'), a.tick('behavior'), b.tick('behavior')]);
      cut += ticks.reduce((sum, t) => sum + t.cutRecords, 0);
    }
    expect(cut).toBe(total);
    const jobs = await streamingJobs(p);
    expect(jobs.reduce((sum, j) => sum + j.records, 0)).toBe(total);
    expect(new Set(jobs.map((j) => j.requestId)).size).toBe(jobs.length);
    for (const job of jobs) expect(job.records).toBeLessThanOrEqual(10_000);
    const seen = new Map<number, number>();
    for (const job of jobs) for (const r of await recordsOf(p, job)) seen.set(r.i, (seen.get(r.i) ?? 0) + 1);
    expect(seen.size).toBe(total);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(await p.redis.xlen(p.keys.intake('behavior'))).toBe(0);
  });
});

test('a batcher that dies between cutting and committing: the cut is redone under the same Request-Id, once', async () => {
  await withPipeline(STREAMING_ONLY, async (p) => {
    await p.intake.push('behavior', records(0, 300));
    // The "dead" batcher moved the cursor and recorded its cut, then vanished.
    const dead = (await INTAKE_CUT.run(
      p.redis,
      [p.keys.intake('behavior'), p.keys.intakeMeta('behavior'), p.keys.intakeCuts('behavior')],
      ['0-0', 10_000, 'dead', 16_777_216],
    )) as string[];
    const [first, last] = dead as [string, string];
    const survivor = batcherFor(p, { cutLeaseMs: 0 });
    // A lease of 0 is over once the Redis clock has moved past the claim.
    const [claim] = Object.values(await p.redis.hgetall(p.keys.intakeCuts('behavior')));
    const { claimedAt } = JSON.parse(claim ?? '{}') as { claimedAt: number };
    await eventually(
      async () => {
        const [seconds, micros] = await p.redis.time();
        return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) > claimedAt;
      },
      "the Redis clock to pass the dead cut's claim",
      10_000,
      1,
    ); // let the lease (0 ms) lapse in Redis time
    expect((await survivor.tick('behavior')).cutRecords).toBe(300);
    const jobs = await streamingJobs(p);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.requestId).toBe(streamingWriteRequestId(TEST_APPLICATION_ID, 'behavior', first, last));
    expect((await survivor.tick('behavior')).cutRecords).toBe(0);
    expect(await streamingJobs(p)).toHaveLength(1);
  });
});

test('while chunks are in flight beyond the limit the intake collects, then drains in one large chunk', async () => {
  await withPipeline(STREAMING_ONLY, async (p) => {
    const batcher = batcherFor(p, { maxInFlight: 1 });
    const settlement = new RedisStreamSettlement(p.redis, p.keys, 3_600_000);
    await p.intake.push('behavior', records(0, 1000));
    expect((await batcher.tick('behavior')).cutRecords).toBe(1000);
    await p.intake.push('behavior', records(1000, 7000));
    expect((await batcher.tick('behavior')).decision).toMatchObject({ kind: 'wait', why: 'behind' });
    const [first] = await streamingJobs(p);
    await settlement.settled(first as WriteJobData, 1000);
    expect((await batcher.tick('behavior')).cutRecords).toBe(7000);
  });
});

test('the running batcher wakes on the guard release event and cuts at once', async () => {
  await withPipeline({}, async (p) => {
    const subscriber = redis.client();
    const batcher = new StreamBatcher({
      redis: p.redis,
      subscriber,
      keys: p.keys,
      topics: p.config.topics,
      guard: p.guard,
      enqueuer: p.enqueuer,
      blobs: p.blobs,
      applicationId: TEST_APPLICATION_ID,
      policy: { batchSize: 1000, maxWaitMs: 60_000, maxRecordsPerRequest: 10_000, maxInFlight: 4 },
      maxRequestBytes: p.config.limits.maxRequestBytes,
      clock: systemClock,
      logger: silentLogger(),
      idleMs: 60_000, // only the release event can wake it within the test
    });
    await p.intake.push('user', records(0, 2000));
    const events = await monitorJobEvents(UPLOAD_QUEUE, { connection: redis.client(), prefix: p.keys.tag });
    // The release must come after the loop's first tick read the guard (and found the topic
    // held), else that tick cuts by itself and the wake-up is never tested: Redis MONITOR says
    // when the guard's state was read.
    const monitor = await redis.client().monitor();
    const guardRead = new Promise<void>((resolve) => {
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[0]?.toLowerCase() === 'hgetall' && args[1] === p.keys.guard('user')) resolve();
      });
    });
    await batcher.start();
    try {
      await guardRead;
      monitor.disconnect();
      await p.guard.onDoneAcknowledged('user', 'incremental_sync_daily', '2022-01-01');
      // The upload job the woken batcher adds (idleMs keeps a tick from doing it in the test's time).
      await events.first((e) => e.name === 'added', 'the streaming job to be added', 30_000);
      expect((await streamingJobs(p))[0]?.records).toBe(2000);
    } finally {
      await batcher.stop();
      await events.close();
    }
  });
});

test('a pushed record larger than one request may carry is refused by name; cuts stop at the request byte cap', async () => {
  await withPipeline({ ...STREAMING_ONLY, BYTEAIR_MAX_REQUEST_BYTES: '2048' }, async (p) => {
    await expect(p.intake.push('behavior', [{ ok: 1 }, { big: 'x'.repeat(3_000) }])).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'records[1]' });
    expect(await p.redis.xlen(p.keys.intake('behavior'))).toBe(0);
    // 100 records of ~110 bytes: about 18 fit in 2 048 bytes of JSON.
    await p.intake.push(
      'behavior',
      Array.from({ length: 100 }, (_, i) => ({ i, pad: 'y'.repeat(100) })),
    );
    const batcher = batcherFor(p, { maxInFlight: 1000 });
    let cut = 0;
    while (cut < 100) cut += (await batcher.tick('behavior')).cutRecords;
    const jobs = await streamingJobs(p);
    expect(jobs.reduce((sum, j) => sum + j.records, 0)).toBe(100);
    expect(jobs.length).toBeGreaterThan(4);
    for (const job of jobs) expect(job.bytes).toBeLessThanOrEqual(2048);
  });
});

test('a chunk settled before its batcher committed, then redone by another batcher, never stays in flight', async () => {
  await withPipeline(STREAMING_ONLY, async (p) => {
    const settlement = new RedisStreamSettlement(p.redis, p.keys, 3_600_000);
    await p.intake.push('behavior', records(0, 50));
    // A batcher cuts, marks and enqueues, then stalls before committing the cut...
    const dead = (await INTAKE_CUT.run(
      p.redis,
      [p.keys.intake('behavior'), p.keys.intakeMeta('behavior'), p.keys.intakeCuts('behavior')],
      ['0-0', 10_000, 'dead', 16_777_216],
    )) as string[];
    const requestId = streamingWriteRequestId(TEST_APPLICATION_ID, 'behavior', dead[0] ?? '', dead[1] ?? '');
    await INTAKE_MARK_IN_FLIGHT.run(p.redis, [p.keys.intakeInflight('behavior'), p.keys.intakeSettled('behavior')], [requestId]);
    // ...while a worker uploads and settles the chunk.
    const job = { topic: 'behavior', requestId } as WriteJobData;
    await settlement.settled(job, 50);
    expect(await settlement.isSettled(job)).toBe(true);
    // A survivor redoes the stale cut: same Request-Id, and it is not marked in flight again.
    const survivor = batcherFor(p, { cutLeaseMs: 0 });
    // A lease of 0 is over once the Redis clock has moved past the claim.
    const [claim] = Object.values(await p.redis.hgetall(p.keys.intakeCuts('behavior')));
    const { claimedAt } = JSON.parse(claim ?? '{}') as { claimedAt: number };
    await eventually(
      async () => {
        const [seconds, micros] = await p.redis.time();
        return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) > claimedAt;
      },
      "the Redis clock to pass the dead cut's claim",
      10_000,
      1,
    );
    expect((await survivor.tick('behavior')).cutRecords).toBe(50);
    expect(await p.redis.smembers(p.keys.intakeInflight('behavior'))).toEqual([]);
    const status = await readIntakeStatus(p.redis, p.keys, 'behavior');
    expect(status).toMatchObject({ chunksInFlight: 0, accepted: 50, waiting: 0 });
    // Settling again (a stalled re-run) counts nothing twice.
    await settlement.settled(job, 50);
    expect((await readIntakeStatus(p.redis, p.keys, 'behavior')).accepted).toBe(50);
  });
});

test('a push repeated with the same idempotency key (a lost answer, a resent command) appends nothing twice', async () => {
  await withPipeline(STREAMING_ONLY, async (p) => {
    const first = await p.intake.push('behavior', records(0, 7_000), 'records', { idempotencyKey: 'client-42' });
    const again = await p.intake.push('behavior', records(0, 7_000), 'records', { idempotencyKey: 'client-42' });
    expect(again).toEqual(first);
    expect(await p.redis.xlen(p.keys.intake('behavior'))).toBe(7_000);
    // Without a key each push is new (the control).
    await p.intake.push('behavior', records(0, 10));
    await p.intake.push('behavior', records(0, 10));
    expect(await p.redis.xlen(p.keys.intake('behavior'))).toBe(7_020);
    expect((await readIntakeStatus(p.redis, p.keys, 'behavior')).pushed).toBe(7_020);
  });
});
