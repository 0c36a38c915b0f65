import { startEmulator, type RunningEmulator } from 'byteair-emulator';
import { silentLogger } from '../../../src/observability/logger.js';
import { openOperations, type OperationsHandle } from '../../../src/operations/open-operations.js';
import type { SyncStatus } from '../../../src/operations/sync-status.js';
import { startSyncWorker, type RunningSyncWorker } from '../../../workers/sync-worker.js';
import { TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID, testConfig } from '../../../../../test/support/pipeline.js';
import type { TestRedis } from '../../../../../test/support/redis.js';
import { FAST_RECOVERY_ENV } from '../../../../../test/support/system.js';
import { eventually } from '../../../../../test/support/eventually.js';

/** Put into every record the scenario sends; no dashboard answer may ever contain it. */
export const PAYLOAD_MARKER = 'payload-marker-0f5e2a-never-shown';

export interface WorkedSystem {
  readonly emulator: RunningEmulator;
  readonly ops: OperationsHandle;
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Ten records per request, so each batch below is several chunks (several jobs). */
const ENV: Readonly<Record<string, string>> = {
  ...FAST_RECOVERY_ENV,
  BYTEAIR_MAX_RECORDS_PER_REQUEST: '10',
  BYTEAIR_STREAM_BATCH_SIZE: '10',
  BYTEAIR_DATE_ZONE: 'UTC',
};

const records = (idField: string, prefix: string, n: number): Array<Record<string, unknown>> =>
  Array.from({ length: n }, (_, i) => ({ [idField]: `${prefix}-${i}`, title: `${PAYLOAD_MARKER} ${i}` }));

/**
 * Real work for the dashboard to show, in this process: the emulator over HTTP on loopback,
 * a worker (upload, done, batcher) and the producer API on this file's Redis.
 *
 * - item/pre_sync/2022-01-01, 25 records (one without `title`, which the API rejects): uploaded, Done acknowledged;
 * - item/pre_sync/2022-01-04, 5 records, sent during a 429 storm: slowed, then done;
 * - user/pre_sync/2022-01-02, 5 records, never sealed (open);
 * - user/history_sync/2022-01-03, 12 records, sealed but held by the stage guard behind that open pre_sync;
 * - behavior streaming, 7 records pushed: the held backlog (no daily Done yet).
 */
export async function startWorkedSystem(redis: TestRedis): Promise<WorkedSystem> {
  const emulator = await startEmulator({
    tenants: [{ tenantId: TEST_TENANT_ID, applicationId: TEST_APPLICATION_ID, ak: TEST_AK, sk: TEST_SK }],
    topics: [{ name: 'item', requiredFields: ['title'] }, 'user', 'behavior'],
    dateZone: 'UTC',
    bodyThreads: 0,
  });
  const env = { ...ENV, BYTEAIR_HOSTS: `127.0.0.1:${emulator.port}`, BYTEAIR_SCHEME: 'http' };
  const config = testConfig(redis, env);
  let worker: RunningSyncWorker | undefined;
  const ops = openOperations(config, { redis: redis.client() });
  const stop = async (): Promise<void> => {
    await worker?.close();
    await ops.close();
    await emulator.close();
  };
  try {
    worker = await startSyncWorker({ config, roles: ['upload', 'done', 'batcher'], logger: silentLogger(), reconcileEveryMs: 200 });
    const first = await ops.producer.batch('item', 'pre_sync', '2022-01-01');
    await first.add([...records('id', 'item-a', 24), { id: 'item-a-untitled', note: PAYLOAD_MARKER }]);
    await first.seal();
    const open = await ops.producer.batch('user', 'pre_sync', '2022-01-02');
    await open.add(records('user_id', 'user-a', 5));
    const held = await ops.producer.batch('user', 'history_sync', '2022-01-03');
    await held.add(records('user_id', 'user-b', 12));
    await held.seal();
    await ops.intake.push('behavior', records('bhv_id', 'bhv', 7));
    await waitFor(ops, (s) => s.batches.find((b) => b.batchId === 'item/pre_sync/2022-01-01')?.state === 'done-acked', 'the first item batch to be done');

    const storm = emulator.startStorm(1);
    const stormy = await ops.producer.batch('item', 'pre_sync', '2022-01-04');
    await stormy.add(records('id', 'item-b', 5));
    await stormy.seal();
    await storm.ended;
    await waitFor(
      ops,
      (s) => {
        const user = s.topics.find((t) => t.topic === 'user');
        return (
          s.batches.find((b) => b.batchId === 'item/pre_sync/2022-01-04')?.state === 'done-acked' &&
          user?.stages.pre_sync.acceptedRecords === 5 &&
          user.heldJobs.history_sync === 2
        );
      },
      'the storm batch to be done and the user history to be held',
    );
    return { emulator, ops, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitFor(ops: OperationsHandle, done: (status: SyncStatus) => boolean, what: string): Promise<void> {
  await eventually(async () => (done(await ops.operations.status()) ? true : undefined), what, 30_000, 50);
}
