import { startEmulator, type RunningEmulator } from 'byteair-emulator';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import { startSyncWorker, type RunningSyncWorker } from '../../workers/sync-worker.js';
import { emulatorEnv, TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID, testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { eventually } from '../../../../test/support/eventually.js';

/**
 * After an outage the circuit's probe succeeds and every worker resumes at once. Without
 * lifting the queue pause, the callers that asked while the probe was out would sit out the
 * whole cooldown (here 12 s) after the API was back: the outage bench drained at a third of
 * the ceiling because of it.
 */
const COOLDOWN_MS = 12_000;
let redis: TestRedis;
let emulator: RunningEmulator;
let ops: OperationsHandle;
let worker: RunningSyncWorker | undefined;

beforeAll(async () => {
  redis = await startTestRedis('circuit');
  emulator = await startEmulator({ tenants: [{ tenantId: TEST_TENANT_ID, applicationId: TEST_APPLICATION_ID, ak: TEST_AK, sk: TEST_SK }] });
});

afterAll(async () => {
  await worker?.close();
  await ops.close();
  await emulator.close();
  await redis.stop();
});

test('the probe that finds the API back lifts the pause: the rest of the backlog goes out right after it', async () => {
  const config = testConfig(redis, {
    ...emulatorEnv(emulator),
    BYTEAIR_DATE_ZONE: 'UTC',
    BYTEAIR_CIRCUIT_THRESHOLD: '1',
    BYTEAIR_CIRCUIT_COOLDOWN_MS: String(COOLDOWN_MS),
    BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS: String(COOLDOWN_MS),
    BYTEAIR_CONCURRENCY: '4',
  });
  ops = openOperations(config);
  const batch = await ops.producer.batch('item', 'history_sync', '2022-05-01');
  for (let chunk = 0; chunk < 6; chunk += 1) await batch.add(Array.from({ length: 50 }, (_, i) => ({ id: `c${chunk}-${i}` })));
  await batch.seal();

  // Down for 1 s: the first call opens the circuit for COOLDOWN_MS; the API is back long before the probe.
  await emulator.scheduleOutage(1, 'refuse');
  // Slow answers keep the probe in flight while the other jobs ask and hear "half-open, wait".
  emulator.setFaults({ latencyMs: 400 });
  worker = await startSyncWorker({ config, roles: ['upload', 'done'] });
  await eventually(async () => ((await batch.status())?.state === 'done-acked' ? true : undefined), 'the batch to be done', 60_000);

  const arrivals = emulator.arrivals().filter((a) => a.records > 0);
  expect(emulator.ledger('item').size).toBe(300);
  const probe = arrivals[0];
  const last = arrivals.at(-1);
  expect(probe).toBeDefined();
  // Everything after the probe arrived well inside the cooldown it would otherwise have waited.
  expect((last?.at ?? 0) - (probe?.at ?? 0)).toBeLessThan(COOLDOWN_MS / 2);
}, 90_000);
