import { AuthRejectedError, RateLimitedError } from 'byteair-sync/internal/src/byteair/api-errors.js';
import { ByteairClient } from 'byteair-sync/internal/src/byteair/client.js';
import { encodeWriteBody } from 'byteair-sync/internal/src/byteair/payload.js';
import { STAGES, isOfflineStage, type Stage } from 'byteair-sync/internal/src/byteair/stage.js';
import { systemClock } from 'byteair-sync/internal/src/clock.js';
import { Secret } from 'byteair-sync/internal/src/config/secret.js';
import { startEmulator, type RunningEmulator } from '../../src/index.js';
import { items, nextRequestId, TENANT, type Auth } from './support/fixture.js';

/*
 * The project's real client (got, its own signer) against the emulator over loopback, with
 * both on the system clock: a write and a Done in every offline stage, a write in streaming.
 */
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    tenants: [TENANT],
    topics: ['item', 'user', { name: 'behavior', requiredFields: ['user_id'] }],
    // Streaming runs on a declared streaming-only topic so each case stands alone.
    streamingOnlyTopics: ['behavior'],
  });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  await emulator.reset();
});

function clientFor(auth: Auth, overrides: { timeoutMs?: number } = {}): ByteairClient {
  return new ByteairClient({
    hosts: [`${emulator.host}:${emulator.port}`],
    scheme: 'http',
    tenantId: TENANT.tenantId,
    applicationId: TENANT.applicationId,
    auth: auth === 'volc' ? { kind: 'volc', ak: TENANT.ak, sk: new Secret(TENANT.sk) } : { kind: 'air', token: new Secret(TENANT.token) },
    timeoutMs: overrides.timeoutMs ?? 5000,
    clock: systemClock,
    random: Math.random,
  });
}

async function withClient(auth: Auth, run: (client: ByteairClient) => Promise<void>): Promise<void> {
  const client = clientFor(auth);
  try {
    await run(client);
  } finally {
    client.close();
  }
}

const cases = (['volc', 'air'] as const).flatMap((auth) => STAGES.map((stage) => [auth, stage] as const));

test.each(cases)('%s auth, %s: write (and Done for an offline stage) round trip', async (auth: Auth, stage: Stage) => {
  await withClient(auth, async (client) => {
    const topic = stage === 'incremental_sync_streaming' ? 'behavior' : 'item';
    const records =
      topic === 'item'
        ? items(3)
        : [
            { bhv_id: 'b1', user_id: 'u1' },
            { bhv_id: 'b2', user_id: 'u2' },
          ];
    const date = isOfflineStage(stage) ? '2022-01-01' : undefined;
    const wrote = await client.writeData({ topic, stage, date, requestId: nextRequestId('rt'), body: encodeWriteBody(records) });
    expect(wrote.result).toEqual({ kind: 'accepted', status: { code: 0, message: 'OK', success: true } });
    expect(wrote.meta.httpStatus).toBe(200);
    if (isOfflineStage(stage)) {
      const closed = await client.done({ topic, stage, dates: ['2022-01-01'], requestId: nextRequestId('rt-done') });
      expect(closed.result).toEqual({ kind: 'accepted', status: { code: 0, message: 'OK', success: true } });
    }
    const stats = emulator.stats();
    expect(stats.totals).toMatchObject({
      writeRequests: 1,
      doneRequests: isOfflineStage(stage) ? 1 : 0,
      acceptedRecords: records.length,
      authFailures: 0,
      orderingViolations: 0,
    });
    expect(stats.dates).toEqual([
      expect.objectContaining({
        topic,
        stage,
        date: date ?? null,
        state: date === undefined ? 'streaming' : 'acked',
        acceptedRecords: records.length,
        lastWriteSeq: 1,
        doneSeq: date === undefined ? null : 2,
      }),
    ]);
    expect(stats.topics[topic]).toMatchObject({ uniqueIds: records.length, duplicateIds: 0 });
  });
});

test.each(['volc', 'air'] as const)('%s auth: the client reads 1001, 409, 429 and auth failures as the processor expects', async (auth) => {
  await withClient(auth, async (client) => {
    const requestId = nextRequestId('rt-partial');
    const body = encodeWriteBody([{ bhv_id: 'b1', user_id: 'u1' }, { bhv_id: 'b2' }]);
    const partial = await client.writeData({ topic: 'behavior', stage: 'incremental_sync_streaming', date: undefined, requestId, body });
    expect(partial.result).toEqual({
      kind: 'partial',
      status: { code: 1001, message: 'partial data failed', success: false },
      rejected: [{ data: '{"bhv_id":"b2"}', reason: "field 'user_id' is required" }],
    });
    const again = await client.writeData({ topic: 'behavior', stage: 'incremental_sync_streaming', date: undefined, requestId, body });
    expect(again.result.kind).toBe('duplicate');

    const storm = emulator.startStorm(60);
    await expect(
      client.writeData({ topic: 'item', stage: 'pre_sync', date: '2022-01-01', requestId: nextRequestId(), body: encodeWriteBody(items(1)) }),
    ).rejects.toMatchObject({
      constructor: RateLimitedError,
      retryAfterMs: 60_000,
    });
    await emulator.reset();
    await storm.ended;
    expect(emulator.stats().totals.rateLimited).toBe(0);
  });
  const wrong = new ByteairClient({
    hosts: [`${emulator.host}:${emulator.port}`],
    scheme: 'http',
    tenantId: TENANT.tenantId,
    applicationId: TENANT.applicationId,
    auth: auth === 'volc' ? { kind: 'volc', ak: TENANT.ak, sk: new Secret('not-the-secret') } : { kind: 'air', token: new Secret('not-the-token') },
    timeoutMs: 5000,
    clock: systemClock,
    random: Math.random,
  });
  try {
    await expect(
      wrong.writeData({ topic: 'item', stage: 'pre_sync', date: '2022-01-01', requestId: nextRequestId(), body: encodeWriteBody(items(1)) }),
    ).rejects.toBeInstanceOf(AuthRejectedError);
  } finally {
    wrong.close();
  }
  expect(emulator.stats().authFailures).toEqual({ 'signature-mismatch': 1 });
});
