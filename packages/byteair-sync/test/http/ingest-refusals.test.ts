import { gzipped, INGEST_TOKEN, JSON_TYPE, NDJSON_TYPE, ndjson, send, type Answer } from './support/ingest-client.js';
import { useIngestRig } from './support/ingest-rig.js';

const MAX_BODY = 200_000;
const ENV = {
  BYTEAIR_INGEST_TOKEN: INGEST_TOKEN,
  BYTEAIR_INGEST_MAX_BODY_BYTES: String(MAX_BODY),
  BYTEAIR_DATE_ZONE: 'UTC',
  // Two records per chunk: a bad record in the second chunk shows the body is checked whole first.
  BYTEAIR_MAX_RECORDS_PER_REQUEST: '2',
  BYTEAIR_STREAM_BATCH_SIZE: '2',
  BYTEAIR_MAX_REQUEST_BYTES: '1024',
  BYTEAIR_STREAM_INTAKE_CAP: '5010',
  BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior',
};

const rig = useIngestRig('ingest-no', ENV);

const BATCH = '/v1/batches/item/history_sync/2022-01-01/records';
const STREAM = '/v1/streams/user/records';
const records = (n: number): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, price: i }));

async function batchCount(): Promise<number> {
  return await rig.pipeline.redis.zcard(rig.pipeline.keys.batchIndex);
}
async function intakeLength(topic: string): Promise<number> {
  return await rig.pipeline.redis.xlen(rig.pipeline.keys.intake(topic));
}

/** Sends a request that must be refused, and checks it took nothing: no batch opened, intake unchanged. */
async function refused(path: string, options: Parameters<typeof send>[2]): Promise<Answer> {
  const [batches, intake] = [await batchCount(), await intakeLength('user')];
  const answer = await send(rig.server.url, path, options);
  expect([await batchCount(), await intakeLength('user')]).toEqual([batches, intake]);
  return answer;
}

describe('bearer token', () => {
  test('missing: 401 AUTH_REQUIRED with WWW-Authenticate; another scheme counts as missing', async () => {
    const basic = `Basic ${Buffer.from(`x:${INGEST_TOKEN}`).toString('base64')}`;
    for (const headers of [{}, { authorization: basic }] as Array<Record<string, string>>) {
      const answer = await refused(BATCH, { token: null, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(records(1)) });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="byteair-ingest"');
      expect(answer.error.code).toBe('AUTH_REQUIRED');
    }
  });

  test('wrong: 401 AUTH_INVALID; neither the wrong nor the right token appears in the answer', async () => {
    const wrong = `${INGEST_TOKEN}x`;
    const answer = await refused(BATCH, { token: wrong, headers: JSON_TYPE, body: JSON.stringify(records(1)) });
    expect(answer.status).toBe(401);
    expect(answer.error.code).toBe('AUTH_INVALID');
    expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
    const whole = `${JSON.stringify(answer.headers)}${answer.text}`;
    expect(whole).not.toContain(INGEST_TOKEN);
    expect((await send(rig.server.url, '/v1/status', { token: 'short' })).status).toBe(401);
  });

  test('right: the same request is taken (control)', async () => {
    expect((await send(rig.server.url, '/v1/status')).status).toBe(200);
    expect((await send(rig.server.url, STREAM, { headers: JSON_TYPE, body: JSON.stringify({ user_id: 'auth-ok' }) })).status).toBe(202);
  });
});

describe('400: the answer names the field, and nothing of the request is taken', () => {
  test('a bad record in a later chunk: records[3].price, value Infinity; no chunk of the body was added', async () => {
    const body = `[${records(3)
      .map((r) => JSON.stringify(r))
      .join(',')},{"id":"r3","price":1e999}]`;
    const answer = await refused(BATCH, { headers: JSON_TYPE, body });
    expect(answer.status).toBe(400);
    expect(answer.error).toMatchObject({ code: 'INVALID_INPUT', field: 'records[3].price', value: 'Infinity' });
    expect(await rig.pipeline.batches.status('item/history_sync/2022-01-01')).toBeNull();
  });

  test('NDJSON with a line that is not JSON: 400 naming line and column, without quoting it; intake unchanged', async () => {
    const body = `{"user_id":"a"}\n\n{"user_id":"b","secretish":tru}\n{"user_id":"c"}\n`;
    const answer = await refused(STREAM, { headers: NDJSON_TYPE, body });
    expect(answer.status).toBe(400);
    expect(answer.error).toMatchObject({ code: 'MALFORMED_BODY', line: 3, column: 28 });
    expect(answer.text).not.toContain('secretish');
  });

  test('NDJSON with a record that is not an object: the record index and its line', async () => {
    const answer = await refused(STREAM, { headers: NDJSON_TYPE, body: '{"user_id":"a"}\n["user_id","b"]\n' });
    expect(answer.error).toMatchObject({ code: 'INVALID_INPUT', field: 'records[1]', line: 2, value: 'an array of 2 item(s)' });
  });

  test('a JSON body that is not JSON: line and column of the first bad character', async () => {
    const answer = await refused(BATCH, { headers: JSON_TYPE, body: '[{"id":"a"},\n {"id":"b", "price": 1.}]' });
    expect(answer.status).toBe(400);
    expect(answer.error).toMatchObject({ code: 'MALFORMED_BODY', line: 2, column: 23 });
  });

  test('wrong shapes: an object where an array belongs, an empty array, an empty body, a record over the request byte cap', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      [JSON.stringify({ id: 'x' }), { field: 'records', value: 'an object with 1 key(s)' }],
      ['[]', { field: 'records', value: '0 records' }],
      ['', { code: 'MALFORMED_BODY' }],
      [
        JSON.stringify([{ id: 'x' }, { id: 'big', text: 'x'.repeat(1100) }]),
        { field: 'records[1]', value: expect.stringMatching(/^11\d\d bytes$/) as unknown },
      ],
    ];
    for (const [body, expected] of cases) {
      const answer = await refused(BATCH, { headers: JSON_TYPE, body });
      expect(answer.status).toBe(400);
      expect(answer.error).toMatchObject(expected);
    }
    expect((await refused(STREAM, { headers: NDJSON_TYPE, body: '\n\n' })).error).toMatchObject({ field: 'records', value: '0 records' });
  });

  test('path parameters: unknown topic, wrong stage, impossible, future or pre-2000 date, daily data for a streaming-only topic', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['/v1/batches/nope/history_sync/2022-01-01/records', 'topic', 'nope'],
      ['/v1/batches/item/incremental_sync_streaming/2022-01-01/records', 'stage', 'incremental_sync_streaming'],
      ['/v1/batches/item/later/2022-01-01/records', 'stage', 'later'],
      ['/v1/batches/item/history_sync/2022-13-01/records', 'date', '2022-13-01'],
      ['/v1/batches/item/history_sync/2999-01-01/records', 'date', '2999-01-01'],
      ['/v1/batches/item/history_sync/0001-01-01/records', 'date', '0001-01-01'],
      ['/v1/batches/item/history_sync/1999-12-31/records', 'date', '1999-12-31'],
      ['/v1/batches/behavior/incremental_sync_daily/2022-01-01/records', 'stage', 'incremental_sync_daily'],
      ['/v1/streams/nope/records', 'topic', 'nope'],
    ];
    for (const [path, field, value] of cases) {
      const answer = await refused(path, { headers: JSON_TYPE, body: JSON.stringify(records(1)) });
      expect([path, answer.status, answer.error.field, answer.error.value]).toEqual([path, 400, field, value]);
    }
    expect((await send(rig.server.url, '/v1/batches/item/history_sync/2999-01-01')).error).toMatchObject({ field: 'date' });
  });

  test('a body declared gzip that is not gzip, and a body that is not UTF-8: 400 MALFORMED_BODY', async () => {
    const notGzip = await refused(BATCH, { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: JSON.stringify(records(1)) });
    expect(notGzip.error).toMatchObject({ code: 'MALFORMED_BODY', message: expect.stringContaining('gzip') as unknown });
    const latin1 = await refused(STREAM, { headers: NDJSON_TYPE, body: Buffer.from('{"user_id":"caf\xe9"}\n', 'latin1') });
    expect(latin1.error).toMatchObject({ code: 'MALFORMED_BODY', line: 1, message: expect.stringContaining('UTF-8') as unknown });
  });
});

describe('413 and 415', () => {
  const big = JSON.stringify(records(Math.ceil(MAX_BODY / 15)));

  test('a body over the limit: 413 naming the limit, whether it declares its length, is chunked, or only inflates past it', async () => {
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_BODY);
    const declared = await refused(BATCH, { headers: JSON_TYPE, body: big });
    const piece = Buffer.from(big);
    const chunked = await refused(BATCH, { headers: JSON_TYPE, body: [piece.subarray(0, 100_000), piece.subarray(100_000)] });
    const bomb = gzipped(`[${`{"id":"${'z'.repeat(500)}"},`.repeat(500)}{"id":"end"}]`);
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const inflated = await refused(BATCH, { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: bomb });
    for (const answer of [declared, chunked, inflated]) {
      expect(answer.status).toBe(413);
      expect(answer.error).toMatchObject({ code: 'BODY_TOO_LARGE', limit: MAX_BODY });
      expect(answer.error.message).toContain(`${MAX_BODY} bytes (BYTEAIR_INGEST_MAX_BODY_BYTES`);
    }
  });

  test('a Content-Type other than JSON or NDJSON, none, or a non-UTF-8 charset: 415; an unknown Content-Encoding: 415', async () => {
    for (const headers of [{ 'content-type': 'text/plain' }, {}, { 'content-type': 'application/json; charset=latin1' }] as Array<Record<string, string>>) {
      const answer = await refused(BATCH, { headers, body: JSON.stringify(records(1)) });
      expect(answer.status).toBe(415);
      expect(answer.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const brotli = await refused(BATCH, { headers: { ...JSON_TYPE, 'content-encoding': 'br' }, body: 'x' });
    expect([brotli.status, brotli.error.code]).toEqual([415, 'UNSUPPORTED_ENCODING']);
    expect(
      (
        await send(rig.server.url, '/v1/batches/item/history_sync/2022-01-01/records', {
          headers: { 'content-type': 'application/json; charset=UTF-8' },
          body: '[{"id":"ok"}]',
        })
      ).status,
    ).toBe(202);
  });

  test('a Content-Type naming a member every object inherits (constructor, __proto__, toString) is not a format: 415', async () => {
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      for (const [path, body] of [
        [BATCH, ndjson(records(1))],
        [STREAM, ndjson([{ user_id: 'proto' }])],
      ] as const) {
        const answer = await refused(path, { headers: { 'content-type': type }, body });
        expect([answer.status, answer.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
        expect(answer.error.message).toContain('application/x-ndjson');
      }
    }
  });
});

describe('a full intake', () => {
  test('503 INTAKE_FULL with Retry-After; `accepted` counts the records taken before it filled; a push that fits is taken', async () => {
    const base = await intakeLength('user');
    const room = 5010 - base;
    // More than one atomic append (5000 each), more than the room left: the first append fits, the second does not.
    const first = await send(rig.server.url, STREAM, {
      headers: NDJSON_TYPE,
      body: ndjson(Array.from({ length: room + 990 }, (_, i) => ({ user_id: `u${i}` }))),
    });
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('10');
    expect(first.error).toMatchObject({ code: 'INTAKE_FULL', topic: 'user', accepted: 5000, retryAfterSeconds: 10 });
    expect(await intakeLength('user')).toBe(base + 5000);

    const overflow = await send(rig.server.url, STREAM, { headers: JSON_TYPE, body: JSON.stringify(records(room - 5000 + 1)) });
    expect(overflow.error).toMatchObject({ code: 'INTAKE_FULL', accepted: 0 });
    expect(await intakeLength('user')).toBe(base + 5000);
    const fits = await send(rig.server.url, STREAM, { headers: JSON_TYPE, body: JSON.stringify(records(room - 5000)) });
    expect(fits.status).toBe(202);
    expect(await intakeLength('user')).toBe(5010);
  });
});

describe('other answers', () => {
  test('an unknown endpoint under /v1 is a JSON 404 (after auth); outside it too', async () => {
    expect((await send(rig.server.url, '/v1/batches')).error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await send(rig.server.url, '/v1/batches', { token: null })).status).toBe(401);
    const outside = await send(rig.server.url, '/elsewhere', { token: null });
    expect([outside.status, outside.error.code]).toEqual([404, 'NOT_FOUND']);
  });
});
