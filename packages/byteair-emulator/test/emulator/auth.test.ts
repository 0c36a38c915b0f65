import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { fixedClock, systemClock } from 'byteair-sync/internal/src/clock.js';
import { buildCanonicalRequest, credentialScope, sha256Hex, signingKey, stringToSign } from 'byteair-sync/internal/src/byteair/volc-signature.js';
import { startEmulator, type RunningEmulator } from '../../src/index.js';
import { loadSdkVectors } from '../../../../test/support/shared.js';
import { editHeaders, items, postSigned, signedRequest, TENANT, VECTOR_TIME_MS, withEmulator, write, type CallSpec } from './support/fixture.js';
import { send, writeAnswer, type Reply } from './support/http.js';

/* Authentication: what is accepted, what is refused and why, and the injectable clock. */
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({
    tenants: [TENANT, { tenantId: '3000001', applicationId: '87654321', token: 'air-only-token' }],
    clock: fixedClock(VECTOR_TIME_MS),
  });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  await emulator.reset();
});

function codeOf(reply: Reply): number {
  return writeAnswer(reply).status.code;
}

async function expectRefused(reply: Promise<Reply>, reason: string): Promise<void> {
  const answer = await reply;
  expect(answer.status).toBe(200);
  expect(writeAnswer(answer).status).toMatchObject({ code: 401, success: false, message: expect.stringContaining(`(${reason})`) as string });
  expect(emulator.stats().authFailures).toEqual({ [reason]: 1 });
  expect(emulator.stats().totals).toMatchObject({ authFailures: 1, writeRequests: 0, acceptedRecords: 0 });
  // A refused request is not part of any rate window.
  expect(emulator.stats().windows.maxRequestsInWindow).toBe(0);
}

test('an unknown access key is refused', async () => {
  await expectRefused(write(emulator, items(1), { ak: 'AKLTnobody', sk: TENANT.sk }), 'unknown-access-key');
});

test('a wrong secret key gives a signature mismatch', async () => {
  await expectRefused(write(emulator, items(1), { sk: 'wrong' }), 'signature-mismatch');
});

test('a body that does not match X-Content-Sha256 is refused', async () => {
  const request = signedRequest('write', gzipSync('[{"id":"a"}]'));
  await expectRefused(postSigned(emulator, { ...request, body: gzipSync('[{"id":"b"}]') }), 'body-hash-mismatch');
});

test('a changed body with X-Content-Sha256 changed to match still fails: the signature covers the real payload hash', async () => {
  const request = signedRequest('write', gzipSync('[{"id":"a"}]'));
  const body = gzipSync('[{"id":"b"}]');
  await expectRefused(
    postSigned(emulator, { path: request.path, body, headers: editHeaders(request.headers, { 'x-content-sha256': sha256Hex(body) }) }),
    'signature-mismatch',
  );
});

test('a signed header missing from the request is refused', async () => {
  const request = signedRequest('write', gzipSync('[{"id":"a"}]'));
  await expectRefused(postSigned(emulator, { ...request, headers: editHeaders(request.headers, { 'x-content-sha256': undefined }) }), 'missing-signed-header');
});

test('no credentials at all, and a malformed Authorization, are refused', async () => {
  const request = signedRequest('write', gzipSync('[{"id":"a"}]'));
  await expectRefused(postSigned(emulator, { ...request, headers: editHeaders(request.headers, { authorization: undefined }) }), 'missing-credentials');
  await emulator.reset();
  await expectRefused(
    postSigned(emulator, { ...request, headers: editHeaders(request.headers, { authorization: 'HMAC-SHA256 Credential=x' }) }),
    'malformed-credentials',
  );
});

describe('the Volc X-Date skew window (default 900 s)', () => {
  test.each([-900, 900, 0])('signed %i s from the server clock: accepted', async (offset) => {
    expect(codeOf(await write(emulator, items(1), { now: VECTOR_TIME_MS + offset * 1000 }))).toBe(0);
  });

  test.each([-901, 901])('signed %i s from the server clock: refused', async (offset) => {
    await expectRefused(write(emulator, items(1), { now: VECTOR_TIME_MS + offset * 1000 }), 'clock-skew');
  });
});

describe('the air Tenant-Ts skew window (default 5 s)', () => {
  test.each([-5, 5])('signed %i s off: accepted', async (offset) => {
    expect(codeOf(await write(emulator, items(1), { auth: 'air', now: VECTOR_TIME_MS + offset * 1000 }))).toBe(0);
  });

  test.each([-6, 6])('signed %i s off: refused', async (offset) => {
    await expectRefused(write(emulator, items(1), { auth: 'air', now: VECTOR_TIME_MS + offset * 1000 }), 'clock-skew');
  });
});

test('both skew windows are configurable', async () => {
  await withEmulator({ volcSkewSeconds: 60, airSkewSeconds: 30 }, async (narrow) => {
    const at = (spec: CallSpec): Promise<number> => write(narrow, items(1), spec).then(codeOf);
    expect(await at({ now: VECTOR_TIME_MS + 60_000 })).toBe(0);
    expect(await at({ now: VECTOR_TIME_MS + 61_000 })).toBe(401);
    expect(await at({ auth: 'air', now: VECTOR_TIME_MS - 30_000 })).toBe(0);
    expect(await at({ auth: 'air', now: VECTOR_TIME_MS - 31_000 })).toBe(401);
    expect(narrow.stats().authFailures).toEqual({ 'clock-skew': 2 });
  });
});

test('air: a wrong token, and a tenant with no token, are refused', async () => {
  await expectRefused(write(emulator, items(1), { auth: 'air', token: 'not-it' }), 'signature-mismatch');
  await emulator.reset();
  await expectRefused(write(emulator, items(1), { auth: 'air', tenantId: '999' }), 'unknown-tenant');
});

test('air: the hex signature is compared case-insensitively', async () => {
  const request = signedRequest('write', gzipSync('[{"id":"a"}]'), { auth: 'air' });
  const upper = editHeaders(request.headers, { 'tenant-signature': request.headers.find(([n]) => n === 'Tenant-Signature')?.[1].toUpperCase() });
  expect(codeOf(await postSigned(emulator, { ...request, headers: upper }))).toBe(0);
});

test('a tenant configured for air only cannot use Volc, and its token opens only its own application', async () => {
  expect(codeOf(await write(emulator, items(1), { auth: 'air', tenantId: '3000001', applicationId: '87654321', token: 'air-only-token' }))).toBe(0);
  expect(codeOf(await write(emulator, items(1), { auth: 'air', tenantId: '3000001', applicationId: TENANT.applicationId, token: 'air-only-token' }))).toBe(400);
  expect(emulator.stats().badRequests).toEqual({ application: 1 });
});

test("the canonical request is rebuilt from the client's own SignedHeaders (Java signs only content-type)", async () => {
  const body = gzipSync('[{"id":"java-1"}]');
  const xDate = '20220102T030405Z';
  const path = `/data/api/${TENANT.applicationId}/item`;
  const query: Array<[string, string]> = [
    ['method', 'write'],
    ['stage', 'pre_sync'],
  ];
  const payloadHash = sha256Hex(body);
  const { canonicalRequest } = buildCanonicalRequest({ method: 'POST', path, query, signedHeaders: [['content-type', 'application/json']], payloadHash });
  const scope = credentialScope('20220102', 'placeholder', 'air');
  const signature = createHmac('sha256', signingKey(TENANT.sk, '20220102', 'placeholder', 'air'))
    .update(stringToSign(xDate, scope, canonicalRequest))
    .digest('hex');
  const reply = await send(
    emulator.url,
    'POST',
    `${path}?method=write&stage=pre_sync`,
    [
      ['Content-Type', 'application/json'],
      ['Content-Encoding', 'gzip'],
      ['Tenant-Id', TENANT.tenantId],
      ['Request-Id', 'java-style-1'],
      ['Content-Date', '2022-01-01'],
      ['X-Date', xDate],
      ['X-Content-Sha256', payloadHash],
      ['Authorization', `HMAC-SHA256 Credential=${TENANT.ak}/${scope}, SignedHeaders=content-type, Signature=${signature}`],
    ],
    body,
  );
  expect(codeOf(reply)).toBe(0);
  expect([...emulator.ledger('item').keys()]).toEqual(['java-1']);
});

test('authFailureAnswer "http" answers HTTP 401 instead', async () => {
  await withEmulator({ authFailureAnswer: 'http' }, async (strict) => {
    const reply = await write(strict, items(1), { sk: 'wrong' });
    expect(reply.status).toBe(401);
    expect(writeAnswer(reply).status.code).toBe(401);
  });
});

test('control: the same captured request fails on the system clock, so the pinned clock is what lets it replay', async () => {
  const vector = loadSdkVectors().vectors[0];
  if (vector === undefined) throw new Error('no vectors');
  const body = Buffer.from(vector.request.body_b64, 'base64');
  await withEmulator({ clock: systemClock }, async (live) => {
    const reply = await send(live.url, 'POST', vector.request.path, vector.request.headers, body);
    expect(writeAnswer(reply).status.code).toBe(401);
    expect(live.stats().authFailures).toEqual({ 'clock-skew': 1 });
  });
  const pinned = await send(emulator.url, 'POST', vector.request.path, vector.request.headers, body);
  expect(writeAnswer(pinned).status.code).toBe(0);
});
