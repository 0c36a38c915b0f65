import { DateTime } from 'luxon';
import { createMetricsRegistry } from '../../dashboards/metrics-registry.js';
import { parseFleetCounters } from '../../dashboards/fleet-counters.js';
import { renderStatusPage } from '../../dashboards/status-page.js';
import { formatStatus } from '../../src/cli/status-report.js';
import { fixedClock } from '../../src/clock.js';
import { startEmulator, type RunningEmulator } from 'byteair-emulator';
import { silentLogger } from '../../src/observability/logger.js';
import { readSyncMetrics } from '../../src/observability/redis-sync-metrics.js';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import type { SyncStatus } from '../../src/operations/sync-status.js';
import { startSyncWorker, type RunningSyncWorker } from '../../workers/sync-worker.js';
import { TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID, emulatorEnv, testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { eventually } from '../../../../test/support/eventually.js';

/**
 * Freshness from real work: the worker uploads item's daily data for 2022-01-01 and 2022-01-03
 * and the API acknowledges both Dones; 2022-01-02 never comes. Read at 07:00 UTC on the 4th,
 * with Done due at 06:00 the next day: the 2nd was due at 06:00 on the 3rd (25 h ago), the 3rd is
 * done, so one date is missing. user has no deadline (off); behavior has no daily Done yet.
 */
const ENV = { BYTEAIR_DATE_ZONE: 'UTC', BYTEAIR_DAILY_DONE_BY: '06:00,user=off', BYTEAIR_LOG_LEVEL: 'silent' };
const READ_AT = Date.parse('2022-01-04T07:00:00Z');
const LAG_SECONDS = (READ_AT - Date.parse('2022-01-03T06:00:00Z')) / 1000;

let redis: TestRedis;
let emulator: RunningEmulator;
let worker: RunningSyncWorker;
let ops: OperationsHandle;
let status: SyncStatus;

beforeAll(async () => {
  redis = await startTestRedis('freshness');
  emulator = await startEmulator({
    tenants: [{ tenantId: TEST_TENANT_ID, applicationId: TEST_APPLICATION_ID, ak: TEST_AK, sk: TEST_SK }],
    topics: ['item', 'user', 'behavior'],
    dateZone: 'UTC',
    bodyThreads: 0,
  });
  const config = testConfig(redis, { ...ENV, ...emulatorEnv(emulator) });
  worker = await startSyncWorker({ config, roles: ['upload', 'done', 'batcher'], logger: silentLogger(), reconcileEveryMs: 200 });
  const producer = openOperations(config, { redis: redis.client() });
  try {
    for (const date of ['2022-01-01', '2022-01-03']) {
      const batch = await producer.producer.batch('item', 'incremental_sync_daily', date);
      await batch.add([{ id: `item-${date}`, title: 'daily' }]);
      await batch.seal();
    }
    await eventually(
      async () => ((await producer.operations.status()).topics[0]?.stages.incremental_sync_daily.doneAcked === 2 ? true : undefined),
      'both daily Dones acknowledged',
      30_000,
      50,
    );
  } finally {
    await producer.close();
  }
  // The reading happens "on the 4th": only the operations' clock moves, the data is real.
  ops = openOperations(config, { redis: redis.client(), clock: fixedClock(READ_AT) });
  status = await ops.operations.status();
});
afterAll(async () => {
  await ops.close();
  await worker.close();
  await emulator.close();
  await redis.stop();
});

const topic = (name: string): SyncStatus['topics'][number] => {
  const found = status.topics.find((t) => t.topic === name);
  if (found === undefined) throw new Error(`no topic ${name}`);
  return found;
};

test('status: the missing date, the lag since it was due, the last Done date per stage', () => {
  expect(topic('item').dailyFreshness).toEqual({
    state: 'late',
    doneBy: '06:00',
    dueThrough: '2022-01-03',
    missingDates: ['2022-01-02'],
    missingCount: 1,
    lagSeconds: LAG_SECONDS,
  });
  expect(topic('item').stages.incremental_sync_daily.lastDoneDate).toBe('2022-01-03');
  expect(topic('item').stages.pre_sync.lastDoneDate).toBeNull();
  expect(topic('user').dailyFreshness.state).toBe('off');
  expect(topic('behavior').dailyFreshness.state).toBe('not-started');
  expect(status.redisMemory.usedBytes).toBeGreaterThan(0);
});

test('`status` prints the late topic with its missing date', () => {
  const text = formatStatus(status, 'UTC').join('\n');
  expect(text).toContain('daily freshness: LATE, 1 date without Done (2022-01-02); the oldest was due 25:00:00 ago');
  expect(text).toContain('daily freshness: not tracked');
  expect(text).toMatch(/redis {4}[\d.]+ [kMGT]?B used/);
});

test('the status page marks the topic late', () => {
  const page = renderStatusPage(status, [], {
    authEnabled: false,
    readOnly: false,
    maxBatchRows: 50,
    chartSpanMs: 60_000,
    chartGapMs: 1_000,
    refreshSeconds: 5,
  });
  expect(page).toContain('<span class="pill bad">late</span><br>1 date without Done: 2022-01-02');
  expect(page).toContain('last Done 2022-01-03');
  expect(page).toContain('Redis memory');
});

test('/metrics: lag, missing dates and last Done date per topic; Redis memory', async () => {
  const registry = createMetricsRegistry(async () => ({ counters: parseFleetCounters(await readSyncMetrics(ops.redis, ops.keys)), status, dateZone: 'UTC' }));
  const text = await registry.metrics();
  expect(text).toContain(`byteair_daily_done_lag_seconds{topic="item",stage="incremental_sync_daily"} ${LAG_SECONDS}`);
  expect(text).toContain('byteair_daily_done_lag_seconds{topic="behavior",stage="incremental_sync_daily"} 0');
  expect(text).not.toContain('byteair_daily_done_lag_seconds{topic="user"');
  expect(text).toContain('byteair_daily_missing_dates{topic="item",stage="incremental_sync_daily"} 1');
  expect(text).toContain(
    `byteair_daily_last_done_date_timestamp_seconds{topic="item",stage="incremental_sync_daily"} ${DateTime.fromISO('2022-01-03', { zone: 'UTC' }).toSeconds()}`,
  );
  expect(text).toMatch(/^byteair_redis_used_memory_bytes [1-9]\d*$/m);
  expect(text).toMatch(/^byteair_redis_maxmemory_bytes \d+$/m);
});
