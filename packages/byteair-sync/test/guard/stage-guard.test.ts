import { ModeChangeRefusedError } from '../../src/guard/guard-errors.js';
import { JOB_DATA_VERSION, type WriteJobData } from '../../src/queue/job-data.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { testPipeline, type TestPipeline } from '../../../../test/support/pipeline.js';

let redis: TestRedis;
let p: TestPipeline;

beforeAll(async () => {
  redis = await startTestRedis('guard');
  p = testPipeline(redis, { BYTEAIR_TOPICS: 'item,user,behavior,t1,t2,t3', BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior' });
});
afterAll(async () => {
  await p.close();
  await redis.stop();
});

function writeJob(topic: string, stage: WriteJobData['stage'], n: number): WriteJobData {
  const offline = stage !== 'incremental_sync_streaming';
  return {
    v: JOB_DATA_VERSION,
    kind: 'write',
    topic,
    stage,
    date: offline ? '2022-01-01' : null,
    requestId: `w-guardtest${topic}${stage}${n}`,
    blobKey: 'none',
    records: 1,
    bytes: 2,
    batchId: offline ? `${topic}/${stage}/2022-01-01` : null,
    enqueuedAt: 0,
  };
}

test('modes are declared from config; streaming-only topics stream at once and refuse daily', async () => {
  await p.guard.declareModes();
  expect((await p.guard.state('behavior')).mode).toBe('streaming-only');
  expect(await p.guard.decide('behavior', 'incremental_sync_streaming')).toEqual({ kind: 'go' });
  expect(await p.guard.decide('behavior', 'incremental_sync_daily')).toMatchObject({ kind: 'refuse' });
  expect((await p.guard.state('behavior')).streamingStartedAt).not.toBeNull();
});

test('a mode change is accepted before the first streaming upload and refused after it', async () => {
  await p.guard.declareMode('t1', 'streaming-only');
  await p.guard.declareMode('t1', 'daily-then-streaming');
  expect((await p.guard.state('t1')).mode).toBe('daily-then-streaming');
  await p.guard.declareMode('t2', 'streaming-only');
  expect(await p.guard.decide('t2', 'incremental_sync_streaming')).toEqual({ kind: 'go' });
  await expect(p.guard.declareMode('t2', 'daily-then-streaming')).rejects.toBeInstanceOf(ModeChangeRefusedError);
  expect((await p.guard.state('t2')).mode).toBe('streaming-only');
});

test('race: a mode change and the first streaming upload at once never both happen', async () => {
  for (let i = 0; i < 30; i += 1) {
    const topic = `race${i}`;
    await p.guard.declareMode(topic, 'streaming-only');
    const [decision, change] = await Promise.allSettled([
      p.guard.decide(topic, 'incremental_sync_streaming'),
      p.guard.declareMode(topic, 'daily-then-streaming'),
    ]);
    const state = await p.guard.state(topic);
    if (change.status === 'fulfilled') {
      // The change won: streaming was not started under the old mode, it now waits for a daily Done.
      expect(state.mode).toBe('daily-then-streaming');
      expect(decision.status === 'fulfilled' && decision.value.kind === 'go').toBe(false);
      expect(state.streamingStartedAt).toBeNull();
    } else {
      expect(change.reason).toBeInstanceOf(ModeChangeRefusedError);
      expect(state.mode).toBe('streaming-only');
      expect(state.streamingStartedAt).not.toBeNull();
    }
  }
});

test('streaming waits for the first daily Done of its topic only, and only the first counts', async () => {
  expect(await p.guard.decide('item', 'incremental_sync_streaming')).toMatchObject({ kind: 'hold' });
  await p.guard.onDoneAcknowledged('user', 'incremental_sync_daily', '2022-01-01');
  expect(await p.guard.decide('item', 'incremental_sync_streaming')).toMatchObject({ kind: 'hold' });
  await p.guard.onDoneAcknowledged('item', 'history_sync', '2022-01-01');
  expect(await p.guard.decide('item', 'incremental_sync_streaming')).toMatchObject({ kind: 'hold' });
  await p.guard.onDoneAcknowledged('item', 'incremental_sync_daily', '2022-01-05');
  await p.guard.onDoneAcknowledged('item', 'incremental_sync_daily', '2022-01-06');
  expect(await p.guard.decide('item', 'incremental_sync_streaming')).toEqual({ kind: 'go' });
  expect((await p.guard.state('item')).firstDailyDone?.date).toBe('2022-01-05');
});

test('history waits while a pre_sync batch is not done; the Done that closes it releases parked jobs', async () => {
  const ref = { topic: 't3', stage: 'pre_sync' as const, date: '2022-01-01' };
  await p.batches.open(ref, 1);
  expect(await p.guard.decide('t3', 'history_sync')).toMatchObject({ kind: 'hold', reason: expect.stringContaining('pre_sync') as string });
  // A parked history job: delayed far into the future and registered with the guard.
  const data = writeJob('t3', 'history_sync', 1);
  const job = await p.queues.upload.add('write', data, { jobId: data.requestId, delay: 3_600_000 });
  expect(await p.guard.park(data, job.id ?? '')).toBe('held');
  expect((await p.guard.heldCounts('t3')).history_sync).toBe(1);
  await p.batches.registerChunk('t3/pre_sync/2022-01-01', { requestId: 'w-x', blobKey: 'b', records: 1, bytes: 1 });
  await p.batches.seal('t3/pre_sync/2022-01-01', 2);
  await p.batches.settleChunk('t3/pre_sync/2022-01-01', 'w-x', { accepted: 1, rejected: 0, duplicate: false }, 3);
  await p.batches.markDoneAcknowledged(ref, 4);
  await p.guard.onDoneAcknowledged('t3', 'pre_sync', '2022-01-01');
  expect(await job.getState()).toMatch(/waiting|prioritized/);
  expect((await p.guard.heldCounts('t3')).history_sync).toBe(0);
});

test('a job parked after its hold already ended releases itself', async () => {
  await p.guard.declareMode('t1', 'daily-then-streaming');
  await p.guard.onDoneAcknowledged('t1', 'incremental_sync_daily', '2022-01-01');
  const data = writeJob('t1', 'incremental_sync_streaming', 2);
  expect(await p.guard.park(data, 'some-job')).toBe('released');
  expect((await p.guard.heldCounts('t1')).incremental_sync_streaming).toBe(0);
});

test('a streaming-only topic whose mode is not in Redis (declareModes not run, or its key lost) streams on its configured mode, once', async () => {
  // 'behavior' is streaming-only in the config; this keyspace never had declareModes run.
  const fresh = testPipeline(redis, {
    BYTEAIR_TOPICS: 'item,user,behavior',
    BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior',
    BYTEAIR_REDIS_PREFIX: `${redis.prefix}-nomode`,
  });
  try {
    expect(await fresh.redis.hget(fresh.keys.guard('behavior'), 'mode')).toBeNull();
    // The compare-and-set that fixes the streaming start must compare against what Redis holds
    // (nothing), not the configured mode the state falls back to, or it can never succeed.
    const decided = await Promise.race([
      fresh.guard.decide('behavior', 'incremental_sync_streaming'),
      new Promise<'spinning'>((resolve) => setTimeout(() => resolve('spinning'), 5_000).unref()),
    ]);
    expect(decided).toEqual({ kind: 'go' });
    expect((await fresh.guard.state('behavior')).streamingStartedAt).not.toBeNull();
  } finally {
    await fresh.close();
  }
});
