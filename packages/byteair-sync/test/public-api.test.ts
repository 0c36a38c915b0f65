import { DateTime } from 'luxon';
import { ConfigError, InvalidInputError, loadConfig, openSyncClient, startSyncWorker, type RunningSyncWorker, type SyncClient } from '../src/index.js';
import { startEmulator, type RunningEmulator } from 'byteair-emulator';
import { emulatorEnv, TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID, testConfig } from '../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../test/support/redis.js';
import { eventually } from '../../../test/support/eventually.js';

/**
 * The package entry point as an application uses it: only names from src/index.ts, a real
 * Redis, a real worker and the emulator over HTTP on loopback.
 */
let redis: TestRedis;
let emulator: RunningEmulator;
let worker: RunningSyncWorker | undefined;
let sync: SyncClient;

const yesterday = DateTime.now().setZone('Asia/Shanghai').minus({ days: 1 }).toISODate() ?? '';

beforeAll(async () => {
  redis = await startTestRedis('api');
  emulator = await startEmulator({ tenants: [{ tenantId: TEST_TENANT_ID, applicationId: TEST_APPLICATION_ID, ak: TEST_AK, sk: TEST_SK }] });
  sync = openSyncClient({ config: testConfig(redis, emulatorEnv(emulator)) });
});

afterAll(async () => {
  await worker?.close();
  await sync.close();
  await emulator.close();
  await redis.stop();
});

test('bad input is refused with a typed error naming the field and the value, before anything is stored', async () => {
  expect(() => sync.stream('items')).toThrow(InvalidInputError);
  expect(() => sync.stream('items')).toThrow(/topic.*items/);
  await expect(sync.batch('item', 'history', yesterday)).rejects.toMatchObject({
    code: 'INVALID_INPUT',
    message: expect.stringMatching(/stage.*history/) as unknown,
  });
  await expect(sync.stream('behavior').push([{ bhv_id: 'ok' }, { bhv_id: 1n }])).rejects.toBeInstanceOf(InvalidInputError);
  expect((await sync.status()).topics.find((t) => t.topic === 'behavior')?.streaming.pushed).toBe(0);
  expect(() => loadConfig({ BYTEAIR_MAX_RECORDS_PER_SECOND: 'fast' })).toThrow(ConfigError);
});

test('daily then streaming: streaming waits for the daily Done, then everything is accepted exactly once', async () => {
  const stream = sync.stream('behavior');
  await stream.push([{ bhv_id: 's1' }, { bhv_id: 's2' }], { idempotencyKey: 'push-1' });
  await stream.push([{ bhv_id: 's1' }, { bhv_id: 's2' }], { idempotencyKey: 'push-1' }); // a retried push: stored once
  const daily = await sync.batch('behavior', 'incremental_sync_daily', yesterday);
  // An async iterable, as a database cursor would hand them over.
  await daily.add(
    (async function* records() {
      for (let i = 0; i < 2_500; i += 1) yield await Promise.resolve({ bhv_id: `d${i}`, n: i });
    })(),
  );
  const held = (await sync.status()).topics.find((t) => t.topic === 'behavior');
  expect(held?.streamingAllowed).toBe(false);
  expect(held?.streaming.waiting).toBe(2);

  worker = await startSyncWorker({
    config: testConfig(redis, { ...emulatorEnv(emulator), BYTEAIR_STREAM_MAX_WAIT_MS: '100' }),
    roles: ['upload', 'done', 'batcher'],
  });
  await daily.seal();
  await eventually(async () => ((await daily.status())?.state === 'done-acked' ? true : undefined), 'the daily Done', 30_000);
  await eventually(() => Promise.resolve(emulator.ledger('behavior').size === 2_502 ? true : undefined), 'streaming to flow after the Done', 30_000);
  expect([...emulator.ledger('behavior').values()].every((n) => n === 1)).toBe(true);
  expect(emulator.stats().orderingViolations).toEqual([]);
  const batches = await sync.batches();
  expect(batches.map((b) => [b.topic, b.stage, b.records, b.acceptedRecords])).toEqual([['behavior', 'incremental_sync_daily', 2_500, 2_500]]);
});
