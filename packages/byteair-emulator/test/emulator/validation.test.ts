import { gzipSync } from 'node:zlib';
import { fixedClock } from 'byteair-sync/internal/src/clock.js';
import { encodeDoneRequest } from 'byteair-sync/internal/src/byteair/messages.js';
import { startEmulator, type RunningEmulator } from '../../src/index.js';
import { done, editHeaders, items, postSigned, signedRequest, TENANT, VECTOR_TIME_MS, withEmulator, write, type CallSpec } from './support/fixture.js';
import { doneAnswer, send, writeAnswer, type Reply } from './support/http.js';

/* Request validation: each rule answers the documented code and message and changes nothing. */
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    tenants: [TENANT],
    clock: fixedClock(VECTOR_TIME_MS),
    topics: ['item', { name: 'user', requiredFields: ['user_id', 'gender'] }, 'behavior'],
  });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  await emulator.reset();
});

function expectStatus(reply: Reply, code: number, message?: string): void {
  expect(reply.status).toBe(200);
  const status = writeAnswer(reply).status;
  expect(status.code).toBe(code);
  expect(status.success).toBe(code === 0);
  if (message !== undefined) expect(status.message).toBe(message);
}

function expectNothingApplied(badRequests: Record<string, number>): void {
  const stats = emulator.stats();
  expect(stats.badRequests).toEqual(badRequests);
  expect(stats.totals).toMatchObject({
    writeRequests: 0,
    doneRequests: 0,
    acceptedRecords: 0,
    badRequests: Object.values(badRequests).reduce((a, b) => a + b, 0),
  });
  expect(stats.dates).toEqual([]);
  expect(stats.windows.maxRequestsInWindow).toBe(0);
}

function writeRaw(json: string | Buffer, spec: CallSpec = {}, gzip = true): Promise<Reply> {
  const plain = typeof json === 'string' ? Buffer.from(json) : json;
  return postSigned(emulator, signedRequest('write', gzip ? gzipSync(plain) : plain, spec));
}

test('an application id that is not configured: 400, the documented message', async () => {
  expectStatus(
    await write(emulator, items(1), { applicationId: '999' }),
    400,
    "Can't find configuration for tenant/application_id:999, please check your tenant/application_id and path.",
  );
  expectNothingApplied({ application: 1 });
});

test("a Tenant-Id that is not the credentials' tenant: 400, the documented message", async () => {
  expectStatus(
    await write(emulator, items(1), { tenantId: '42' }),
    400,
    `Find no data schema of tenant_id(42) tenant/application_id(${TENANT.applicationId}), please check your tenant_id and retry`,
  );
  expectNothingApplied({ tenant: 1 });
});

test('a topic that is not configured: 400, the documented message', async () => {
  expectStatus(await write(emulator, items(1), { topic: 'order' }), 400, "Can't support scene:order, please check your scene/topic.");
  expectNothingApplied({ topic: 1 });
});

test('an unknown stage, and Done in the streaming stage: 400 "Syncing is end or not start"', async () => {
  const expected = (stage: string): string =>
    `Syncing is end or not start in stage(${stage}) for tenant/application_id(${TENANT.applicationId}) topic(item), please check the 'stage'`;
  const request = signedRequest('write', gzipSync('[{"id":"a"}]'));
  expectStatus(await postSigned(emulator, { ...request, path: request.path.replace('stage=pre_sync', 'stage=final_sync') }), 401);
  const unsigned = signedRequest('write', gzipSync('[{"id":"a"}]'), { auth: 'air' });
  expectStatus(await postSigned(emulator, { ...unsigned, path: unsigned.path.replace('stage=pre_sync', 'stage=final_sync') }), 400, expected('final_sync'));
  expect(doneAnswer(await done(emulator, ['2022-01-01'], { stage: 'incremental_sync_streaming' }))).toEqual({
    code: 400,
    message: expected('incremental_sync_streaming'),
    success: false,
  });
  // The Volc request's query is signed, so changing it fails authentication before validation;
  // air auth signs only the body, so that one reaches the stage check.
  expect(emulator.stats().authFailures).toEqual({ 'signature-mismatch': 1 });
  expectNothingApplied({ stage: 2 });
});

test('a missing Request-Id: 400', async () => {
  const request = signedRequest('write', gzipSync('[{"id":"a"}]'));
  expectStatus(
    await postSigned(emulator, { ...request, headers: editHeaders(request.headers, { 'request-id': undefined }) }),
    400,
    'Request-Id header is required',
  );
  expectNothingApplied({ 'request-id': 1 });
});

test.each([
  ['20220101', '2022-01-01'],
  ['2022-01-01', '2022-01-01'],
  ['2022-01-01T23:30:00+08:00', '2022-01-01'],
  ['2022-01-01T00:00:00Z', '2022-01-01'],
  ['2022-01-01T10:00:00.123-05:00', '2022-01-01'],
])('Content-Date %s is accepted as data date %s', async (header, date) => {
  expectStatus(await write(emulator, items(1), { date: header }), 0, 'OK');
  expect(emulator.stats().dates.map((d) => [d.stage, d.date, d.state])).toEqual([['pre_sync', date, 'syncing']]);
});

test.each(['2022/01/01', '20221301', '2022-02-30', '2022-01-01 12:00', 'yesterday', ''])(
  'Content-Date %p is refused with the documented message',
  async (header) => {
    expectStatus(
      await write(emulator, items(1), { date: header }),
      400,
      `The value(${header}) of 'Content-Date' header is invalid, please format it like this: '20060102' or '2006-01-02' or RFC3339`,
    );
    expectNothingApplied({ 'content-date': 1 });
  },
);

test('Content-Date is required in every offline stage and not in streaming', async () => {
  for (const stage of ['pre_sync', 'history_sync', 'incremental_sync_daily'] as const)
    expectStatus(await write(emulator, items(1), { stage, date: null }), 400);
  expect(emulator.stats().badRequests).toEqual({ 'content-date': 3 });
  expectStatus(await write(emulator, items(1), { stage: 'incremental_sync_streaming', date: null }), 0);
});

test('10 000 records are accepted, 10 001 refused', async () => {
  expectStatus(await write(emulator, items(10_000)), 0);
  expectStatus(await write(emulator, items(10_001)), 400, 'Only can receive max to 10000 items in one request (got 10001)');
  expect(emulator.stats().totals).toMatchObject({ writeRequests: 1, acceptedRecords: 10_000, badRequests: 1 });
  expect(emulator.stats().badRequests).toEqual({ 'too-many-records': 1 });
});

test.each([
  ['{"id":"a"}', 'not-array', 'Data must be a JSON array of records'],
  ['[{"id":"a"},2]', 'not-object', 'Data must be a JSON array of records: element 1 is not a JSON object'],
  ['[{"id":"a"},null]', 'not-object', 'Data must be a JSON array of records: element 1 is not a JSON object'],
  ['[{"id":"a"}', 'bad-json', 'Data is not valid JSON'],
  ['[{"id": NaN}]', 'bad-json', 'Data is not valid JSON'],
  ['[]', 'empty', 'Data is empty'],
])('write body %s: 400 %s', async (json, reason, message) => {
  expectStatus(await writeRaw(json), 400, message);
  expectNothingApplied({ [reason]: 1 });
});

test('an empty write body (0 bytes) is "Data is empty"', async () => {
  expectStatus(await writeRaw(Buffer.alloc(0), {}, false), 400, 'Data is empty');
  expectNothingApplied({ empty: 1 });
});

test('a body declared gzip that is not gzip: 400', async () => {
  expectStatus(await writeRaw('[{"id":"a"}]', {}, false), 400, 'the body is declared gzip but is not valid gzip');
  expectNothingApplied({ 'bad-gzip': 1 });
});

test('a plain (uncompressed) JSON body is accepted', async () => {
  const request = signedRequest('write', Buffer.from('[{"id":"plain-1"},{"id":"plain-2"}]'));
  expectStatus(await postSigned(emulator, { ...request, headers: editHeaders(request.headers, { 'content-encoding': undefined }) }), 0);
  expect([...emulator.ledger('item').keys()]).toEqual(['plain-1', 'plain-2']);
});

test('records missing a required field come back in a 1001 answer, each with its record and reason', async () => {
  const records = [{ user_id: 'u1', gender: 'f' }, { user_id: 'u2' }, { gender: 'm' }, { user_id: 'u4', gender: null }];
  const answer = writeAnswer(await write(emulator, records, { topic: 'user' }));
  expect(answer.status).toEqual({ code: 1001, message: 'partial data failed', success: false });
  expect(answer.errors).toEqual([
    { message: "field 'gender' is required", data: '{"user_id":"u2"}' },
    { message: "field 'user_id' is required", data: '{"gender":"m"}' },
    { message: "field 'gender' is required", data: '{"user_id":"u4","gender":null}' },
  ]);
  const stats = emulator.stats();
  expect(stats.totals).toMatchObject({ writeRequests: 1, acceptedRecords: 1, rejectedRecords: 3, badRequests: 0 });
  expect(stats.topics.user).toMatchObject({ acceptedRecords: 1, rejectedRecords: 3, uniqueIds: 1 });
  expect(stats.dates).toEqual([expect.objectContaining({ topic: 'user', date: '2022-01-01', state: 'syncing', acceptedRecords: 1, rejectedRecords: 3 })]);
});

test('Accept picks the answer format; without Accept the Content-Type does; gzip only when accepted', async () => {
  const json = await write(emulator, items(1), { accept: 'application/json' });
  expect(json.headers['content-type']).toBe('application/json');
  expect(JSON.parse(json.body.toString('utf8'))).toEqual({ status: { code: 0, message: 'OK', success: true }, errors: [] });

  const request = signedRequest('write', gzipSync('[{"id":"x"}]'));
  const noAccept = await postSigned(emulator, { ...request, headers: editHeaders(request.headers, { accept: undefined, 'accept-encoding': undefined }) });
  expect(noAccept.headers['content-type']).toBe('application/json');
  expect(noAccept.headers['content-encoding']).toBeUndefined();

  const proto = await write(emulator, items(1, 'p'), {});
  expect(proto.headers['content-type']).toBe('application/x-protobuf');
  expect(proto.headers['content-encoding']).toBe('gzip');
  // The exact bytes of the captured SDK's write_ok answer (vectors/responses.json).
  expect(proto.body.toString('hex')).toBe('0a0612024f4b1801');
});

test('Done accepts the JSON partition_date form, drops elements without it, and answers JSON', async () => {
  const request = signedRequest('done', Buffer.from('[{"partition_date":"20220101"},{"other":1},{"partition_date":"20220103"}]'), {
    auth: 'air',
    accept: 'application/json',
  });
  const reply = await postSigned(emulator, {
    ...request,
    headers: editHeaders(request.headers, { 'content-type': 'application/json', 'content-encoding': undefined }),
  });
  expect(reply.headers['content-type']).toBe('application/json');
  expect(JSON.parse(reply.body.toString('utf8'))).toEqual({ status: { code: 0, message: 'OK', success: true } });
  expect(emulator.stats().dones.map((d) => d.dates)).toEqual([['2022-01-01', '2022-01-03']]);
});

test('a partition_date not in YYYYMMDD: 400 with the documented message', async () => {
  const request = signedRequest('done', Buffer.from('[{"partition_date":"2022-01-01"}]'), { auth: 'air' });
  const reply = await postSigned(emulator, {
    ...request,
    headers: editHeaders(request.headers, { 'content-type': 'application/json', 'content-encoding': undefined }),
  });
  expect(doneAnswer(reply)).toEqual({ code: 400, message: 'parse partition_date(2022-01-01) error, format should be YYYYMMDD', success: false });
  expectNothingApplied({ 'bad-date': 1 });
});

test('a protobuf Done naming an impossible date: 400', async () => {
  const request = signedRequest('done', gzipSync(encodeDoneRequest([{ year: 2022, month: 2, day: 30 }])));
  expect(doneAnswer(await postSigned(emulator, request)).code).toBe(400);
  expectNothingApplied({ 'bad-date': 1 });
});

describe('an empty Done body closes the previous day of the configured zone', () => {
  // 2022-01-01T20:00:00Z is already 2022-01-02 04:00 in Shanghai.
  const now = Date.UTC(2022, 0, 1, 20, 0, 0);

  test.each([
    ['Asia/Shanghai', '2022-01-01'],
    ['UTC', '2021-12-31'],
  ])('zone %s: %s', async (dateZone, expected) => {
    const local = await startEmulator({ tenants: [TENANT], clock: fixedClock(now), dateZone });
    try {
      // Java sends 0 bytes while declaring gzip; Python and Go send gzip of nothing (20 bytes).
      const java = signedRequest('done', Buffer.alloc(0), { now });
      const python = signedRequest('done', gzipSync(Buffer.alloc(0)), { now, topic: 'user' });
      expect(doneAnswer(await send(local.url, 'POST', java.path, java.headers, java.body)).code).toBe(0);
      expect(doneAnswer(await send(local.url, 'POST', python.path, python.headers, python.body)).code).toBe(0);
      expect(local.stats().dones.map((d) => [d.topic, d.dates, d.emptyBody])).toEqual([
        ['item', [expected], true],
        ['user', [expected], true],
      ]);
    } finally {
      await local.close();
    }
  });
});

test('paths the emulator does not serve answer HTTP 404 and are counted', async () => {
  const request = signedRequest('write', gzipSync('[{"id":"a"}]'));
  expect((await postSigned(emulator, { ...request, path: request.path.replace('method=write', 'method=import') })).status).toBe(404);
  expect((await send(emulator.url, 'GET', request.path, [], Buffer.alloc(0))).status).toBe(404);
  expect((await send(emulator.url, 'POST', '/v1/anything', [], Buffer.alloc(0))).status).toBe(404);
  expect(emulator.stats().totals).toMatchObject({ requestsReceived: 3, notFound: 3, writeRequests: 0 });
});

test('a body above maxBodyBytes answers HTTP 413 and is not looked at', async () => {
  await withEmulator({ maxBodyBytes: 1024 }, async (small) => {
    const reply = await write(small, items(200));
    expect(reply.status).toBe(413);
    expect(small.stats().totals).toMatchObject({ requestsReceived: 1, writeRequests: 0, authFailures: 0, badRequests: 0 });
  });
});
