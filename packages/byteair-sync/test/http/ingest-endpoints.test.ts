import { gzipped, INGEST_TOKEN, JSON_TYPE, NDJSON_TYPE, ndjson, send } from './support/ingest-client.js';
import { useIngestRig } from './support/ingest-rig.js';

// Two records per chunk, so a body of five shows the chunking through the API.
const ENV = { BYTEAIR_INGEST_TOKEN: INGEST_TOKEN, BYTEAIR_DATE_ZONE: 'UTC', BYTEAIR_MAX_RECORDS_PER_REQUEST: '2', BYTEAIR_STREAM_BATCH_SIZE: '2' };

const rig = useIngestRig('ingest', ENV);

const items = (n: number, from = 0): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => ({ id: `item-${from + i}`, price: i + 0.5 }));

async function intakeLength(topic: string): Promise<number> {
  return await rig.pipeline.redis.xlen(rig.pipeline.keys.intake(topic));
}

describe('offline batches', () => {
  test('a JSON array is added: 202 {accepted, chunks} and Redis holds the batch, its chunks and their upload jobs', async () => {
    const answer = await send(rig.server.url, '/v1/batches/item/history_sync/2022-01-01/records', { headers: JSON_TYPE, body: JSON.stringify(items(5)) });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ batch: 'item/history_sync/2022-01-01', accepted: 5, chunks: 3, newChunks: 3 });
    const status = await rig.pipeline.batches.status('item/history_sync/2022-01-01');
    expect(status).toMatchObject({ state: 'open', records: 5, chunks: 3 });
    const jobs = await rig.pipeline.queues.upload.getJobs(['waiting', 'prioritized', 'delayed']);
    expect(jobs.filter((job) => (job.data as { batchId?: string }).batchId === 'item/history_sync/2022-01-01')).toHaveLength(3);
  });

  test('NDJSON (CRLF, blank lines) adds the same records as JSON: same chunks, so the second add takes nothing new', async () => {
    const first = await send(rig.server.url, '/v1/batches/item/pre_sync/2022-01-02/records', { headers: JSON_TYPE, body: JSON.stringify(items(3)) });
    const again = await send(rig.server.url, '/v1/batches/item/pre_sync/2022-01-02/records', {
      headers: NDJSON_TYPE,
      body: `\r\n${items(3)
        .map((r) => JSON.stringify(r))
        .join('\r\n')}\r\n\r\n`,
    });
    expect(first.body).toMatchObject({ accepted: 3, chunks: 2, newChunks: 2 });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: 3, chunks: 2, newChunks: 0 });
    expect(await rig.pipeline.batches.status('item/pre_sync/2022-01-02')).toMatchObject({ records: 3, chunks: 2 });
  });

  test('a gzip body (Content-Encoding: gzip) is added like a plain one', async () => {
    const answer = await send(rig.server.url, '/v1/batches/user/history_sync/2022-01-03/records', {
      headers: { ...NDJSON_TYPE, 'content-encoding': 'gzip' },
      body: gzipped(ndjson(items(4))),
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: 4, chunks: 2 });
    expect(await rig.pipeline.batches.status('user/history_sync/2022-01-03')).toMatchObject({ records: 4 });
  });

  test('GET reads the batch status; seal answers 202 once, then 200 with alreadySealed; records after it are 409 BATCH_CLOSED', async () => {
    const path = '/v1/batches/behavior/history_sync/2022-01-04';
    await send(rig.server.url, `${path}/records`, { headers: JSON_TYPE, body: JSON.stringify(items(2)) });
    const open = await send(rig.server.url, path);
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({ batchId: 'behavior/history_sync/2022-01-04', state: 'open', records: 2, chunks: 1, settledChunks: 0 });

    const sealed = await send(rig.server.url, `${path}/seal`, { method: 'POST' });
    expect(sealed.status).toBe(202);
    expect(sealed.body).toEqual({ batch: 'behavior/history_sync/2022-01-04', state: 'sealed', doneQueued: false, alreadySealed: false });
    expect(await rig.pipeline.batches.status('behavior/history_sync/2022-01-04')).toMatchObject({ state: 'sealed' });

    const twice = await send(rig.server.url, `${path}/seal`, { method: 'POST' });
    expect(twice.status).toBe(200);
    expect(twice.body).toMatchObject({ state: 'sealed', alreadySealed: true });

    const late = await send(rig.server.url, `${path}/records`, { headers: JSON_TYPE, body: JSON.stringify(items(1, 100)) });
    expect(late.status).toBe(409);
    expect(late.error).toMatchObject({ code: 'BATCH_CLOSED', batch: 'behavior/history_sync/2022-01-04', state: 'sealed' });
    expect(await rig.pipeline.batches.status('behavior/history_sync/2022-01-04')).toMatchObject({ records: 2, chunks: 1 });
  });

  test('status and seal of a batch that does not exist are 404 BATCH_NOT_FOUND, and neither creates it', async () => {
    const path = '/v1/batches/item/history_sync/2021-06-01';
    expect((await send(rig.server.url, path)).error).toMatchObject({ code: 'BATCH_NOT_FOUND', batch: 'item/history_sync/2021-06-01' });
    const seal = await send(rig.server.url, `${path}/seal`, { method: 'POST' });
    expect(seal.status).toBe(404);
    expect(await rig.pipeline.batches.status('item/history_sync/2021-06-01')).toBeNull();
  });
});

describe('streaming', () => {
  test('a JSON array, one JSON object and NDJSON are pushed: 202 {accepted} once the intake holds them', async () => {
    const before = await intakeLength('user');
    const array = await send(rig.server.url, '/v1/streams/user/records', { headers: JSON_TYPE, body: JSON.stringify([{ user_id: 'u1' }, { user_id: 'u2' }]) });
    const single = await send(rig.server.url, '/v1/streams/user/records', { headers: JSON_TYPE, body: JSON.stringify({ user_id: 'u3' }) });
    const lines = await send(rig.server.url, '/v1/streams/user/records', {
      headers: NDJSON_TYPE,
      body: ndjson([{ user_id: 'u4' }, { user_id: 'u5' }, { user_id: 'u6' }]),
    });
    expect([array.status, single.status, lines.status]).toEqual([202, 202, 202]);
    expect([array.body, single.body, lines.body]).toEqual([
      { topic: 'user', accepted: 2 },
      { topic: 'user', accepted: 1 },
      { topic: 'user', accepted: 3 },
    ]);
    expect((await intakeLength('user')) - before).toBe(6);
    const entries = await rig.pipeline.redis.xrange(rig.pipeline.keys.intake('user'), '-', '+');
    expect(entries.slice(-6).map(([, fields]) => JSON.parse(fields[1] ?? 'null') as unknown)).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ user_id: `u${n}` })));
  });

  test('a push retried with the same Idempotency-Key is stored once; a bad key is refused by name', async () => {
    const before = await intakeLength('user');
    const request = { headers: { ...JSON_TYPE, 'idempotency-key': 'order-7781' }, body: JSON.stringify([{ user_id: 'k1' }, { user_id: 'k2' }]) };
    const first = await send(rig.server.url, '/v1/streams/user/records', request);
    const retry = await send(rig.server.url, '/v1/streams/user/records', request);
    expect([first.status, retry.status]).toEqual([202, 202]);
    expect(retry.body).toEqual(first.body);
    expect((await intakeLength('user')) - before).toBe(2);
    const bad = await send(rig.server.url, '/v1/streams/user/records', {
      headers: { ...JSON_TYPE, 'idempotency-key': 'x'.repeat(300) },
      body: '[{"user_id":"k3"}]',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'Idempotency-Key' } });
    expect((await intakeLength('user')) - before).toBe(2);
  });
});

describe('status and health', () => {
  test('GET /v1/status is the sync status: topics with their stages and streaming backlog, queues, limiter, circuit', async () => {
    await send(rig.server.url, '/v1/streams/behavior/records', { headers: JSON_TYPE, body: JSON.stringify([{ bhv_id: 'b1' }]) });
    const answer = await send(rig.server.url, '/v1/status');
    expect(answer.status).toBe(200);
    const topics = answer.body.topics as Array<{ topic: string; streaming: { pushed: number }; stages: Record<string, { records: number }> }>;
    expect(topics.map((t) => t.topic)).toEqual(['item', 'user', 'behavior']);
    expect(topics.find((t) => t.topic === 'behavior')?.streaming.pushed).toBe(1);
    expect(topics.find((t) => t.topic === 'item')?.stages.history_sync?.records).toBe(5);
    expect(answer.body).toHaveProperty('queues.upload.waiting');
    expect(answer.body).toHaveProperty('circuit.state', 'closed');
  });

  test('GET /healthz answers without a token', async () => {
    const answer = await send(rig.server.url, '/healthz', { token: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true });
  });
});
