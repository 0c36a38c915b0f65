import { startEmulator, type RunningEmulator } from 'byteair-emulator';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import { startSyncWorker, type RunningSyncWorker } from '../../workers/sync-worker.js';
import { emulatorEnv, TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID, testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { eventually } from '../../../../test/support/eventually.js';

/**
 * At the ceiling every worker slot is held by an offline chunk waiting for the limiter, and a
 * streaming chunk would wait for one of them to finish unless one gives its slot back. Here one slot, a ceiling of one
 * 100-record history chunk per window, and a streaming chunk pushed right after the first
 * history chunk went out: the second history chunk holds the slot, waiting about 2 s for
 * room. It must give the slot back, so the streaming chunk goes next, before it (without
 * preemption the order would be history, history, streaming).
 */
let redis: TestRedis;
let emulator: RunningEmulator;
let ops: OperationsHandle;
let worker: RunningSyncWorker | undefined;

beforeAll(async () => {
  redis = await startTestRedis('preempt');
  emulator = await startEmulator({
    tenants: [{ tenantId: TEST_TENANT_ID, applicationId: TEST_APPLICATION_ID, ak: TEST_AK, sk: TEST_SK }],
    streamingOnlyTopics: ['user'],
  });
});

afterAll(async () => {
  await worker?.close();
  await ops.close();
  await emulator.close();
  await redis.stop();
});

test('an offline chunk waiting for the limiter gives its slot to a streaming chunk, which goes first; nothing is lost or spends an attempt', async () => {
  const config = testConfig(redis, {
    ...emulatorEnv(emulator),
    BYTEAIR_DATE_ZONE: 'UTC',
    BYTEAIR_CONCURRENCY: '1',
    BYTEAIR_MAX_RECORDS_PER_SECOND: '100',
    BYTEAIR_MAX_RECORDS_PER_REQUEST: '100',
    // A 2 s window: the second history chunk waits ~1.8 s before it can book, time enough
    // for the streaming chunk to be cut, queued and seen even on a loaded machine.
    BYTEAIR_LIMITER_MARGIN_MS: '1000',
    BYTEAIR_STREAMING_ONLY_TOPICS: 'user',
    BYTEAIR_STREAM_BATCH_SIZE: '10',
  });
  ops = openOperations(config);
  const batch = await ops.producer.batch('item', 'history_sync', '2022-05-01');
  await batch.add(Array.from({ length: 300 }, (_, i) => ({ id: `h-${i}` })));
  await batch.seal();
  worker = await startSyncWorker({ config, roles: ['upload', 'done', 'batcher'] });
  await eventually(() => Promise.resolve(emulator.ledger('item').size >= 100 ? true : undefined), 'the first history chunk to be accepted', 30_000, 10);
  await ops.intake.push(
    'user',
    Array.from({ length: 10 }, (_, i) => ({ user_id: `u-${i}` })),
  );

  await eventually(
    async () => ((await batch.status())?.state === 'done-acked' && emulator.ledger('user').size === 10 ? true : undefined),
    'everything to be accepted',
    60_000,
  );
  const writes = emulator.arrivals().filter((a) => a.records > 0);
  expect(writes.map((a) => (a.records === 10 ? 'streaming' : 'history'))).toEqual(['history', 'streaming', 'history', 'history']);
  expect(emulator.ledger('item').size).toBe(300);
  expect(emulator.stats().topics.item?.duplicateIds).toBe(0);
  // The chunk that gave its slot back spent no attempt: every history job finished on its first.
  const jobs = await ops.queues.upload.getJobs(['completed'], 0, -1, true);
  expect(jobs.filter((job) => job.name !== 'done').every((job) => job.attemptsMade <= 1)).toBe(true);
  expect(await ops.queues.upload.getFailedCount()).toBe(0);
}, 90_000);
