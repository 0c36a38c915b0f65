import type { BatchStatus } from '../../src/batches/batch-store.js';
import { startEmulator, type RunningEmulator } from 'byteair-emulator';
import type { OddAnswer } from 'byteair-emulator';
import { readSyncMetrics } from '../../src/observability/redis-sync-metrics.js';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import type { RedisClient } from '../../src/redis/connection.js';
import { Keyspace } from '../../src/redis/keyspace.js';
import { startSyncWorker, type RunningSyncWorker } from '../../workers/sync-worker.js';
import { emulatorEnv, TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID, testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { eventually } from '../../../../test/support/eventually.js';

/*
 * Every answer of the API ends in a decision (docs/protocol-notes.md). Each row is one answer the emulator
 * gives on demand (odd-answers.ts), sent to a real worker over HTTP: an answer that is the same
 * on every try fails the chunk after its attempts, with the answer in the reason and a metric,
 * and never holds the circuit; transport failures, 5xx and 408 hold the circuit, so a chunk
 * waits them out without spending attempts.
 */
const ATTEMPTS = 3;
let redis: TestRedis;
let emulator: RunningEmulator;
let ops: OperationsHandle;
let worker: RunningSyncWorker;
let client: RedisClient;
let keys: Keyspace;
let day = 0;

beforeAll(async () => {
  redis = await startTestRedis('answers');
  emulator = await startEmulator({ tenants: [{ tenantId: TEST_TENANT_ID, applicationId: TEST_APPLICATION_ID, ak: TEST_AK, sk: TEST_SK }] });
  const config = testConfig(redis, {
    ...emulatorEnv(emulator),
    BYTEAIR_DATE_ZONE: 'UTC',
    BYTEAIR_ATTEMPTS: String(ATTEMPTS),
    BYTEAIR_BACKOFF_BASE_MS: '20',
    BYTEAIR_BACKOFF_MAX_MS: '50',
    BYTEAIR_CIRCUIT_THRESHOLD: '1',
    BYTEAIR_CIRCUIT_COOLDOWN_MS: '20',
    BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS: '50',
  });
  ops = openOperations(config);
  worker = await startSyncWorker({ config, roles: ['upload', 'done'] });
  client = redis.client();
  keys = new Keyspace(config.redis.prefix);
});

afterAll(async () => {
  await worker.close();
  await ops.close();
  await emulator.close();
  client.disconnect();
  await redis.stop();
});

/** One single-chunk history batch on a date of its own, sealed. */
async function oneChunkBatch(records: number): Promise<{ date: string; status: () => Promise<BatchStatus | null> }> {
  day += 1;
  const date = `2022-06-${String(day).padStart(2, '0')}`;
  const batch = await ops.producer.batch('item', 'history_sync', date);
  await batch.add(Array.from({ length: records }, (_, i) => ({ id: `${date}-${i}` })));
  await batch.seal();
  return { date, status: async () => await batch.status() };
}

const FAIL_AFTER_ATTEMPTS: ReadonlyArray<readonly [OddAnswer, string, string]> = [
  ['http-404', 'http_404', 'API answered HTTP 404'],
  ['http-413', 'http_413', 'API answered HTTP 413'],
  ['http-400', 'http_400', 'API answered HTTP 400'],
  ['http-302', 'http_302', 'API answered HTTP 302'],
  ['empty-200', 'empty_body', 'HTTP 200 with an empty body'],
  ['html-200', 'undecodable_body', 'Please log in to the network'],
  ['bad-gzip-200', 'undecodable_body', 'not valid gzip'],
  ['json-without-status', 'no_status', '{\\"result\\":\\"ok\\"}'],
  ['code-0-not-success', 'not_success', 'status 0 without success=true'],
  ['unknown-code', 'unknown_code', 'undefined status 2001 with success=false'],
  ['nonzero-code-success', 'unknown_code', 'undefined status 7 with success=true'],
];

test.each(FAIL_AFTER_ATTEMPTS)(
  '%s every time: the chunk fails after its attempts, the answer in its reason; counted; circuit closed',
  async (answer, label, inReason) => {
    emulator.setFaults({ oddAnswer: answer, oddAnswerTimes: 0, afterApply: false });
    const given = emulator.stats().faults.oddAnswer;
    const batch = await oneChunkBatch(5);
    const status = await eventually(async () => {
      const s = await batch.status();
      return (s?.failedChunks.length ?? 0) > 0 ? s : undefined;
    }, `the chunk answered ${answer} to fail for good`);
    expect(status?.failedChunks[0]?.reason).toContain('UNEXPECTED_ANSWER: ');
    expect(status?.failedChunks[0]?.reason).toContain(inReason);
    expect(emulator.stats().faults.oddAnswer - given).toBe(ATTEMPTS);
    const metrics = await readSyncMetrics(client, keys);
    expect(metrics.get(`unexpected_answers|write|item|history_sync|${label}`)).toBeGreaterThanOrEqual(ATTEMPTS);
    const circuit = (await ops.operations.status()).circuit;
    expect({ state: circuit.state, consecutiveFailures: circuit.consecutiveFailures }).toEqual({ state: 'closed', consecutiveFailures: 0 });
    emulator.setFaults({ oddAnswer: null });
  },
);

test.each<OddAnswer>(['http-408', 'http-503'])('%s holds the circuit: more of them than attempts, and the chunk still lands once they stop', async (answer) => {
  emulator.setFaults({ oddAnswer: answer, oddAnswerTimes: ATTEMPTS + 1, afterApply: false });
  const batch = await oneChunkBatch(5);
  const status = await eventually(
    async () => {
      const s = await batch.status();
      return s?.state === 'done-acked' || (s?.failedChunks.length ?? 0) > 0 ? s : undefined;
    },
    `the batch answered ${answer} ${ATTEMPTS + 1} times to settle`,
  );
  expect({ state: status?.state, failed: status?.failedChunks }).toEqual({ state: 'done-acked', failed: [] });
  expect([...emulator.ledger('item').keys()].filter((id) => id.startsWith(batch.date))).toHaveLength(5);
  emulator.setFaults({ oddAnswer: null });
});

test('success=true with a code other than 0, after the data was applied: the retry under the same Request-Id hears 409, nothing lost or doubled', async () => {
  emulator.setFaults({ oddAnswer: 'nonzero-code-success', oddAnswerTimes: 1, afterApply: true });
  const batch = await oneChunkBatch(7);
  await eventually(async () => ((await batch.status())?.state === 'done-acked' ? true : undefined), 'the batch to be done');
  const ids = [...emulator.ledger('item').entries()].filter(([id]) => id.startsWith(batch.date));
  expect(ids).toHaveLength(7);
  expect(ids.filter(([, count]) => count !== 1)).toEqual([]);
  expect(emulator.stats().dates.find((d) => d.date === batch.date)?.duplicateRequests).toBe(1);
  emulator.setFaults({ oddAnswer: null, afterApply: false });
});
