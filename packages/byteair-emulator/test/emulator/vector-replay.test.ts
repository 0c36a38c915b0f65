import { fixedClock } from 'byteair-sync/internal/src/clock.js';
import { startEmulator, type RunningEmulator } from '../../src/index.js';
import { loadSdkVectors, type SdkVector } from '../../../../test/support/shared.js';
import { manualMonotonic, TENANT, VECTOR_TIME_MS } from './support/fixture.js';
import { doneAnswer, send, writeAnswer, type HeaderList, type Reply } from './support/http.js';

/*
 * The emulator judged against requests the unmodified official Python SDK sent: the exact
 * captured headers (order, case, Host with the capture server's port) and body bytes, with
 * the emulator's clock pinned to the capture time.
 */
const { vectors } = loadSdkVectors();
const writes = vectors.filter((v) => v.call === 'write_data');
const dones = vectors.filter((v) => v.call === 'done');

function bodyOf(vector: SdkVector): Buffer {
  return Buffer.from(vector.request.body_b64, 'base64');
}

function replay(emulator: RunningEmulator, vector: SdkVector, headers: HeaderList = vector.request.headers, body: Buffer = bodyOf(vector)): Promise<Reply> {
  return send(emulator.url, vector.request.method, vector.request.path, headers, body);
}

function statusOf(vector: SdkVector, reply: Reply): { code: number; message: string; success: boolean } {
  return vector.call === 'done' ? doneAnswer(reply) : writeAnswer(reply).status;
}

function withHeader(headers: HeaderList, name: string, change: (value: string) => string): HeaderList {
  return headers.map(([n, v]) => [n, n.toLowerCase() === name ? change(v) : v] as const);
}

/** A different character at position `at` (hex stays hex). */
function flipChar(value: string, at: number): string {
  const c = value[at] ?? '0';
  const replacement = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : c === 'a' ? 'b' : 'a';
  return value.slice(0, at) + replacement + value.slice(at + 1);
}

/** The headers each vector's signature covers: Volc's SignedHeaders, or the air signature's inputs. */
function signedHeaderNames(vector: SdkVector): string[] {
  if (vector.volc_signing !== undefined) return vector.volc_signing.parsed_authorization.signed_headers;
  return ['tenant-id', 'tenant-ts', 'tenant-nonce'];
}

let emulator: RunningEmulator;
const monotonic = manualMonotonic();

beforeAll(async () => {
  // One window for the whole replay: the window figures below are then exact.
  emulator = await startEmulator({ tenants: [TENANT], clock: fixedClock(VECTOR_TIME_MS), monotonicNow: monotonic.read });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  await emulator.reset();
});

test('the captures cover write and done, both auth schemes and every stage but history', () => {
  expect(writes.length).toBeGreaterThanOrEqual(5);
  expect(dones.length).toBeGreaterThanOrEqual(1);
  expect(new Set(vectors.map((v) => v.inputs.auth))).toEqual(new Set(['volc', 'air']));
});

test.each(vectors.map((v) => [v.name, v] as const))('%s, replayed alone, is applied with status 0 and success=true', async (_name, vector) => {
  const reply = await replay(emulator, vector);
  expect(reply.status).toBe(200);
  expect(reply.headers['content-type']).toBe('application/x-protobuf');
  expect(reply.headers['content-encoding']).toBe('gzip');
  expect(statusOf(vector, reply)).toEqual({ code: 0, message: 'OK', success: true });
  const stats = emulator.stats();
  expect(stats.totals.authFailures).toBe(0);
  if (vector.call === 'done') {
    expect(stats.totals.doneRequests).toBe(1);
    expect(stats.dones.map((d) => d.dates)).toEqual([vector.inputs.dates]);
  } else {
    expect(stats.totals.writeRequests).toBe(1);
    expect(stats.totals.acceptedRecords).toBe(vector.inputs.records?.length);
  }
});

test('all captures replayed, writes before the Done, give the exact stats', async () => {
  for (const vector of [...writes, ...dones]) {
    const reply = await replay(emulator, vector);
    expect(statusOf(vector, reply)).toEqual({ code: 0, message: 'OK', success: true });
  }
  const stats = emulator.stats();
  expect(stats.totals).toEqual({
    requestsReceived: 6,
    writeRequests: 5,
    doneRequests: 1,
    acceptedRecords: 9,
    rejectedRecords: 0,
    // The behavior captures carry no bhv_id (the ledger's default behavior id field).
    recordsWithoutId: 4,
    duplicateRequests: 0,
    rateLimited: 0,
    stormRejected: 0,
    authFailures: 0,
    badRequests: 0,
    // Both streaming captures precede any daily Done of their topic (counted, not refused).
    orderingViolations: 2,
    repeatedDones: 0,
    notFound: 0,
  });
  expect(stats.orderingViolations.map((v) => [v.topic, v.kind, v.refused])).toEqual([
    ['behavior', 'streaming-before-daily-done', false],
    ['item', 'streaming-before-daily-done', false],
  ]);
  // item_id1 and item_id2 were each sent under two (item_id1: three) Request-Ids by the captures.
  expect(stats.topics.item).toMatchObject({ acceptedRecords: 5, uniqueIds: 2, duplicateIds: 2, recordsWithoutId: 0 });
  expect([...emulator.ledger('item')]).toEqual([
    ['item_id1', 3],
    ['item_id2', 2],
  ]);
  expect(stats.topics.behavior).toMatchObject({ acceptedRecords: 4, uniqueIds: 0, recordsWithoutId: 4, streamingOnly: 'went' });
  expect(stats.dates.map((d) => [d.topic, d.stage, d.date, d.state, d.writeRequests, d.acceptedRecords, d.lastWriteSeq, d.doneSeq])).toEqual([
    ['behavior', 'incremental_sync_daily', '2022-01-01', 'syncing', 1, 2, 2, null],
    ['behavior', 'incremental_sync_streaming', null, 'streaming', 1, 2, 3, null],
    ['item', 'incremental_sync_streaming', null, 'streaming', 1, 1, 4, null],
    ['item', 'pre_sync', '2022-01-01', 'acked', 2, 4, 5, 6],
    ['item', 'pre_sync', '2022-01-02', 'acked', 0, 0, null, 6],
  ]);
  expect(stats.dones).toEqual([
    {
      seq: 6,
      requestId: 'req-done-0001',
      applicationId: TENANT.applicationId,
      topic: 'item',
      stage: 'pre_sync',
      dates: ['2022-01-01', '2022-01-02'],
      emptyBody: false,
      newlyAcked: ['2022-01-01', '2022-01-02'],
      alreadyAcked: [],
    },
  ]);
  expect(stats.windows).toMatchObject({ maxRequestsInWindow: 6, maxRecordsInWindow: 9, requestsOverCeiling: 0, recordsOverCeiling: 0 });
});

test('in capture order the air write follows the Done of its date and is refused as the server does', async () => {
  const answers: number[] = [];
  for (const vector of vectors) answers.push(statusOf(vector, await replay(emulator, vector)).code);
  const air = vectors.findIndex((v) => v.name === 'write_pre_sync_item_air');
  const done = vectors.findIndex((v) => v.call === 'done');
  expect(done).toBeLessThan(air);
  expect(answers[air]).toBe(400);
  expect(answers.filter((code) => code === 0)).toHaveLength(vectors.length - 1);
  expect(emulator.stats().dates.find((d) => d.date === '2022-01-01' && d.stage === 'pre_sync')?.writesRefusedAfterAck).toBe(1);
});

test.each(vectors.map((v) => [v.name, v] as const))('%s with one body byte changed is rejected', async (_name, vector) => {
  const body = Buffer.from(bodyOf(vector));
  body[Math.floor(body.length / 2)] = (body[Math.floor(body.length / 2)] as number) ^ 0x01;
  const reply = await replay(emulator, vector, vector.request.headers, body);
  expect(statusOf(vector, reply).code).toBe(401);
  expect(emulator.stats().authFailures).toEqual(vector.inputs.auth === 'volc' ? { 'body-hash-mismatch': 1 } : { 'signature-mismatch': 1 });
  expect(emulator.stats().totals).toMatchObject({ writeRequests: 0, doneRequests: 0, acceptedRecords: 0 });
});

const signedHeaderCases = vectors.flatMap((v) => signedHeaderNames(v).map((name) => [v.name, name, v] as const));

test.each(signedHeaderCases)('%s with signed header %s changed is rejected', async (_name, header, vector) => {
  // The last digit when there is one (so X-Date and Tenant-Ts stay well-formed), else the last character.
  const headers = withHeader(vector.request.headers, header, (value) => {
    const digit = value.search(/[0-9][^0-9]*$/);
    return flipChar(value, digit === -1 ? value.length - 1 : digit);
  });
  const reply = await replay(emulator, vector, headers);
  expect(statusOf(vector, reply).code).toBe(401);
  expect(emulator.stats().totals).toMatchObject({ authFailures: 1, writeRequests: 0, doneRequests: 0, acceptedRecords: 0 });
});

test.each(vectors.map((v) => [v.name, v] as const))('%s with its signature changed is rejected', async (_name, vector) => {
  const name = vector.inputs.auth === 'volc' ? 'authorization' : 'tenant-signature';
  const reply = await replay(
    emulator,
    vector,
    withHeader(vector.request.headers, name, (value) => flipChar(value, value.length - 5)),
  );
  expect(statusOf(vector, reply).code).toBe(401);
  expect(emulator.stats().authFailures).toEqual({ 'signature-mismatch': 1 });
});

test('control: changing headers the signatures do not cover (User-Agent, Request-Id) is accepted', async () => {
  for (const vector of [...writes, ...dones]) {
    let headers = withHeader(vector.request.headers, 'user-agent', () => 'curl/8');
    headers = withHeader(headers, 'request-id', (value) => `${value}-other`);
    expect(statusOf(vector, await replay(emulator, vector, headers)).code).toBe(0);
  }
  expect(emulator.stats().totals.authFailures).toBe(0);
});
