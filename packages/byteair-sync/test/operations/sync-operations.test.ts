import { UnrecoverableError, Worker } from 'bullmq';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import { matchesReplayFilter, type FailedJobView } from '../../src/operations/replay-filter.js';
import { UPLOAD_QUEUE } from '../../src/queue/sync-queue.js';
import { testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';

let redis: TestRedis;
let ops: OperationsHandle;

beforeAll(async () => {
  redis = await startTestRedis('ops');
  ops = openOperations(testConfig(redis), { redis: redis.client() });
});
afterAll(async () => {
  await ops.close();
  await redis.stop();
});

test('status reports each topic, its stages, streaming backlog, limiter, circuit and queues', async () => {
  const batch = await ops.producer.batch('item', 'pre_sync', '2022-01-01');
  await batch.add([{ id: 'a' }, { id: 'b' }]);
  await ops.intake.push('user', [{ user_id: 'u1' }, { user_id: 'u2' }, { user_id: 'u3' }]);
  const status = await ops.operations.status();
  const item = status.topics.find((t) => t.topic === 'item');
  expect(item?.stages.pre_sync).toMatchObject({ batches: 1, open: 1, records: 2 });
  expect(item?.mode).toBe('daily-then-streaming');
  const user = status.topics.find((t) => t.topic === 'user');
  expect(user?.streamingAllowed).toBe(false);
  expect(user?.streaming).toMatchObject({ pushed: 3, waiting: 3, chunksInFlight: 0 });
  expect(status.queues.upload.waiting).toBe(1);
  expect(status.circuit.state).toBe('closed');
  expect(status.limiter.maxRecordsPerSecond).toBe(50_000);
  expect(status.batches.map((b) => b.batchId)).toContain('item/pre_sync/2022-01-01');
});

test('pause and resume both queues', async () => {
  await ops.operations.pause();
  let status = await ops.operations.status();
  expect(status.queues.upload.paused && status.queues.done.paused).toBe(true);
  await ops.operations.resume();
  status = await ops.operations.status();
  expect(status.queues.upload.paused || status.queues.done.paused).toBe(false);
});

test('replay lists (dry run) and then requeues matching failed jobs with attempts reset', async () => {
  const batch = await ops.producer.batch('behavior', 'history_sync', '2022-01-03');
  await batch.add([{ bhv_id: 'x' }]);
  // A worker that fails everything for good, standing in for an auth outage.
  const failed = new Promise<void>((resolve) => {
    const worker = new Worker(
      UPLOAD_QUEUE,
      () => {
        throw new UnrecoverableError('AUTH_REJECTED: test');
      },
      { connection: redis.client(), prefix: ops.keys.tag },
    );
    worker.on('failed', () => {
      void worker.close().then(resolve);
    });
  });
  await failed;
  const dry = await ops.operations.replay({ topic: 'behavior' }, { dryRun: true });
  expect(dry.map((j) => [j.topic, j.stage, j.date, j.failedReason])).toContainEqual(['behavior', 'history_sync', '2022-01-03', 'AUTH_REJECTED: test']);
  expect(await ops.operations.replay({ topic: 'user' }, { dryRun: true })).toHaveLength(0);
  const replayed = await ops.operations.replay({ topic: 'behavior', stage: 'history_sync', date: '2022-01-03' }, { dryRun: false });
  expect(replayed).toHaveLength(1);
  const job = await ops.queues.upload.getJob(replayed[0]?.jobId ?? '');
  expect(await job?.getState()).toMatch(/waiting|prioritized/);
  expect(job?.attemptsMade).toBe(0);
  expect(await ops.operations.failedJobs({ topic: 'behavior' })).toHaveLength(0);
});

describe('matchesReplayFilter', () => {
  const job: FailedJobView = {
    queue: 'upload',
    jobId: 'w-1',
    kind: 'write',
    topic: 'item',
    stage: 'pre_sync',
    date: '2022-01-01',
    records: 3,
    failedReason: 'x',
    failedAt: 1000,
    attemptsMade: 2,
  };
  test('each field narrows; the time range is half-open', () => {
    expect(matchesReplayFilter(job, {})).toBe(true);
    expect(matchesReplayFilter(job, { topic: 'user' })).toBe(false);
    expect(matchesReplayFilter(job, { stage: 'history_sync' })).toBe(false);
    expect(matchesReplayFilter(job, { date: '2022-01-02' })).toBe(false);
    expect(matchesReplayFilter(job, { failedFrom: 1000, failedTo: 1001 })).toBe(true);
    expect(matchesReplayFilter(job, { failedTo: 1000 })).toBe(false);
    expect(matchesReplayFilter({ ...job, failedAt: null }, { failedFrom: 0 })).toBe(false);
  });
});
