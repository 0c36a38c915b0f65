import { gunzipSync } from 'node:zlib';
import { airSignatureHex } from '../../src/byteair/air-signature.js';
import { ApiError, RateLimitedError, UpstreamUnavailableError } from '../../src/byteair/api-errors.js';
import { ByteairClient, type ByteairClientOptions } from '../../src/byteair/client.js';
import { decodeDoneRequest } from '../../src/byteair/messages.js';
import { encodeWriteBody, formatProtoDate } from '../../src/byteair/payload.js';
import { OFFLINE_STAGES, STAGES, type Stage } from '../../src/byteair/stage.js';
import { formatXDate } from '../../src/byteair/volc-signature.js';
import { fixedClock, systemClock } from '../../src/clock.js';
import type { ApiAuth } from '../../src/config/config.js';
import { Secret } from '../../src/config/secret.js';
import { DONE_OK, doneReply, WRITE_OK, writeReply } from '../../../../test/support/api-replies.js';
import { closedPort, withScriptedServer, type RecordedRequest, type ScriptedReply, type ScriptedServer } from '../../../../test/support/scripted-server.js';
import { makeSelfSignedCert } from '../../../../test/support/self-signed-cert.js';
import { checkVolcSignature } from '../../../../test/support/verify-signature.js';

/** 2022-01-02T03:04:05Z, the SDK vectors' pinned time: X-Date and Tenant-Ts come from it. */
const NOW = Date.UTC(2022, 0, 2, 3, 4, 5);
const TENANT_ID = '2100021';
const APPLICATION_ID = '12345678';
const AK = 'AKLTtestAccessKeyId000000000000000';
const SK = 'TestSecretAccessKey/with+chars==';
const TOKEN = 'b6a0test5f2c4e9d8a7b1c3d5e7f9a0b';
const AUTHS: Record<'volc' | 'air', ApiAuth> = {
  volc: { kind: 'volc', ak: AK, sk: new Secret(SK) },
  air: { kind: 'air', token: new Secret(TOKEN) },
};
const RECORDS = [
  { id: 'item_id1', title: '火山 title', price: 1.1 },
  { id: 'item_id2', title: 'second', price: 2.2, tags: ['a', 'b'] },
];

async function withClient<T>(options: Partial<ByteairClientOptions> & { hosts: readonly string[] }, fn: (client: ByteairClient) => Promise<T>): Promise<T> {
  const client = new ByteairClient({
    scheme: 'http',
    tenantId: TENANT_ID,
    applicationId: APPLICATION_ID,
    auth: AUTHS.volc,
    timeoutMs: 5_000,
    clock: fixedClock(NOW),
    random: () => 0.5,
    ...options,
  });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

function onlyRequest(server: ScriptedServer): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0] as RecordedRequest;
}

/** Recomputes the Volc signature from what arrived, with the client's own SignedHeaders list. */
function expectValidVolcSignature(request: RecordedRequest, secretAccessKey: string): void {
  expect(request.header('x-date')).toBe(formatXDate(NOW));
  expect(checkVolcSignature(request, secretAccessKey)).toEqual({
    valid: true,
    accessKeyId: AK,
    signedHeaders: ['content-type', 'host', 'x-content-sha256', 'x-date'],
    bodyHashMatches: true,
  });
}

function expectValidAirSignature(request: RecordedRequest): void {
  const ts = request.header('tenant-ts') ?? '';
  const nonce = request.header('tenant-nonce') ?? '';
  expect(ts).toBe(String(NOW / 1000));
  expect(nonce).toMatch(/^[A-Za-z0-9]{8}$/);
  expect(request.header('tenant-signature')).toBe(airSignatureHex(TOKEN, request.body, TENANT_ID, ts, nonce));
  expect(request.header('authorization')).toBeUndefined();
  expect(request.header('x-date')).toBeUndefined();
}

/** Headers every call carries, whatever the stage and auth. */
function expectCommonHeaders(request: RecordedRequest, server: ScriptedServer, requestId: string): void {
  expect(request.method).toBe('POST');
  expect(request.header('host')).toBe(server.host);
  expect(request.header('tenant-id')).toBe(TENANT_ID);
  expect(request.header('request-id')).toBe(requestId);
  expect(request.header('content-encoding')).toBe('gzip');
  expect(request.header('accept')).toBe('application/x-protobuf');
  expect(request.header('accept-encoding')).toBe('gzip');
  expect(request.header('user-agent')).toBe('byteair-sync');
  expect(request.header('content-length')).toBe(String(request.body.length));
}

const authKinds = ['volc', 'air'] as const;

describe('WriteData on the wire: every stage, both auth schemes', () => {
  const cases = STAGES.flatMap((stage) => authKinds.map((auth) => [stage, auth] as const));
  test.each(cases)('%s with %s auth', async (stage: Stage, auth) => {
    const offline = stage !== 'incremental_sync_streaming';
    const date = offline ? '2022-01-01' : undefined;
    await withScriptedServer([WRITE_OK], async (server) => {
      const { result, meta } = await withClient({ hosts: [server.host], auth: AUTHS[auth] }, (client) =>
        client.writeData({ topic: 'item', stage, date, requestId: `req-${stage}`, body: encodeWriteBody(RECORDS) }),
      );
      expect(result.kind).toBe('accepted');
      expect(meta).toEqual(expect.objectContaining({ host: server.host, httpStatus: 200 }));
      const request = onlyRequest(server);
      expect(request.url).toBe(`/data/api/${APPLICATION_ID}/item?method=write&stage=${stage}`);
      expectCommonHeaders(request, server, `req-${stage}`);
      expect(request.header('content-type')).toBe('application/json');
      // Content-Date, `YYYY-MM-DD`, only for the offline stages.
      expect(request.header('content-date')).toBe(date);
      expect(JSON.parse(gunzipSync(request.body).toString('utf8'))).toEqual(RECORDS);
      if (auth === 'volc') expectValidVolcSignature(request, SK);
      else expectValidAirSignature(request);
    });
  });

  test('the signature check is not vacuous: the wrong secret does not verify (control)', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      await withClient({ hosts: [server.host] }, (client) =>
        client.writeData({ topic: 'user', stage: 'pre_sync', date: '2022-01-01', requestId: 'r', body: encodeWriteBody(RECORDS) }),
      );
      expect(() => expectValidVolcSignature(onlyRequest(server), `${SK}x`)).toThrow();
    });
  });
});

describe('Done on the wire: every offline stage, both auth schemes', () => {
  const cases = OFFLINE_STAGES.flatMap((stage) => authKinds.map((auth) => [stage, auth] as const));
  test.each(cases)('%s with %s auth', async (stage, auth) => {
    const dates = ['2022-01-01', '2021-12-31'];
    await withScriptedServer([DONE_OK], async (server) => {
      const { result } = await withClient({ hosts: [server.host], auth: AUTHS[auth] }, (client) =>
        client.done({ topic: 'behavior', stage, dates, requestId: `done-${stage}` }),
      );
      expect(result.kind).toBe('accepted');
      const request = onlyRequest(server);
      expect(request.url).toBe(`/data/api/${APPLICATION_ID}/done?topic=behavior&stage=${stage}`);
      expectCommonHeaders(request, server, `done-${stage}`);
      expect(request.header('content-type')).toBe('application/x-protobuf');
      expect(request.header('content-date')).toBeUndefined();
      expect(decodeDoneRequest(gunzipSync(request.body)).map(formatProtoDate)).toEqual(dates);
      if (auth === 'volc') expectValidVolcSignature(request, SK);
      else expectValidAirSignature(request);
    });
  });
});

/** The error a call rejects with, typed; fails the test when the call succeeds. */
async function errorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function write(client: ByteairClient, extra: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<unknown> {
  return client.writeData({ topic: 'item', stage: 'history_sync', date: '2022-01-01', requestId: 'req-1', body: encodeWriteBody(RECORDS), ...extra });
}

describe('answers the API gives', () => {
  test('status 1001: a partial result listing each rejected record with its reason', async () => {
    const errors = [
      { message: "field 'status' is required", data: '{"id":"item_id1"}' },
      { message: "invalid value of field 'price'", data: '{"id":"item_id2","price":-1}' },
    ];
    await withScriptedServer([writeReply(1001, 'partial data failed', errors)], async (server) => {
      const { result } = await withClient({ hosts: [server.host] }, (client) =>
        client.writeData({ topic: 'item', stage: 'pre_sync', date: '2022-01-01', requestId: 'r', body: encodeWriteBody(RECORDS) }),
      );
      expect(result).toEqual({
        kind: 'partial',
        status: { code: 1001, message: 'partial data failed', success: false },
        rejected: [
          { data: '{"id":"item_id1"}', reason: "field 'status' is required" },
          { data: '{"id":"item_id2","price":-1}', reason: "invalid value of field 'price'" },
        ],
      });
    });
  });

  test('status 409 on write and on done: duplicate, which counts as applied', async () => {
    await withScriptedServer([writeReply(409, 'duplicated request id'), doneReply(409, 'duplicated request id')], async (server) => {
      await withClient({ hosts: [server.host] }, async (client) => {
        const written = await client.writeData({ topic: 'item', stage: 'pre_sync', date: '2022-01-01', requestId: 'r', body: encodeWriteBody(RECORDS) });
        expect(written.result.kind).toBe('duplicate');
        const done = await client.done({ topic: 'item', stage: 'pre_sync', dates: ['2022-01-01'], requestId: 'd' });
        expect(done.result).toEqual({ kind: 'duplicate', status: { code: 409, message: 'duplicated request id', success: false } });
      });
    });
  });

  test('a gzip-encoded answer is decoded', async () => {
    await withScriptedServer([writeReply(0, 'OK', [], { gzip: true })], async (server) => {
      const { result } = await withClient({ hosts: [server.host] }, (client) =>
        client.writeData({ topic: 'item', stage: 'incremental_sync_streaming', date: undefined, requestId: 'r', body: encodeWriteBody(RECORDS) }),
      );
      expect(result.kind).toBe('accepted');
    });
  });

  test('HTTP 429 with Retry-After in seconds: RATE_LIMITED with retryAfterMs', async () => {
    await withScriptedServer([{ kind: 'respond', status: 429, headers: { 'retry-after': '7' }, body: 'slow down' }], async (server) => {
      const error = await withClient({ hosts: [server.host] }, (client) => errorOf(write(client)));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 7_000, retryable: true }));
      expect(server.requests).toHaveLength(1);
    });
  });

  test('HTTP 429 with Retry-After as an HTTP date: measured from the injected clock', async () => {
    const retryAt = new Date(NOW + 5_000).toUTCString();
    await withScriptedServer([{ kind: 'respond', status: 429, headers: { 'retry-after': retryAt } }], async (server) => {
      const error = await withClient({ hosts: [server.host] }, (client) => errorOf(write(client)));
      expect(error).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 5_000 }));
    });
  });

  test('status 429 inside a 200 answer is RATE_LIMITED too', async () => {
    await withScriptedServer([writeReply(429, 'too many requests', [], { headers: { 'retry-after': '2' } })], async (server) => {
      const error = await withClient({ hosts: [server.host] }, (client) => errorOf(write(client)));
      expect(error).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 2_000 }));
    });
  });

  test('HTTP 503: UPSTREAM_UNAVAILABLE server-error, sent once', async () => {
    await withScriptedServer([{ kind: 'respond', status: 503 }], async (server) => {
      const error = await withClient({ hosts: [server.host] }, (client) => errorOf(write(client)));
      expect(error).toEqual(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', reason: 'server-error' }));
      expect(server.requests).toHaveLength(1);
    });
  });

  test('HTTP 401: AUTH_REJECTED, not retryable', async () => {
    await withScriptedServer([{ kind: 'respond', status: 401 }], async (server) => {
      const error = await withClient({ hosts: [server.host] }, (client) => errorOf(write(client)));
      expect(error).toEqual(expect.objectContaining({ code: 'AUTH_REJECTED', retryable: false }));
    });
  });

  test('status 400 on done: STAGE_REJECTED with the server message', async () => {
    await withScriptedServer([doneReply(400, 'Syncing or ack is not allowed when done.')], async (server) => {
      const error = await withClient({ hosts: [server.host] }, (client) =>
        errorOf(client.done({ topic: 'item', stage: 'pre_sync', dates: ['2022-01-01'], requestId: 'd' })),
      );
      expect(error).toEqual(expect.objectContaining({ code: 'STAGE_REJECTED', serverMessage: 'Syncing or ack is not allowed when done.' }));
    });
  });
});

describe('transport failures', () => {
  test('a server that never answers: UPSTREAM_UNAVAILABLE timeout, and got did not retry', async () => {
    await withScriptedServer([{ kind: 'hang' }], async (server) => {
      const error = await withClient({ hosts: [server.host] }, (client) => errorOf(write(client, { timeoutMs: 200 })));
      expect(error).toBeInstanceOf(UpstreamUnavailableError);
      expect(error).toEqual(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', reason: 'timeout', retryable: true }));
      expect(server.requests).toHaveLength(1);
    });
  });

  test('a server slower than the timeout: each timeout doubles the next, an answer comes, and the timeout then follows the answer times', async () => {
    // Every answer takes 300 ms; the floor is 100 ms. A fixed 100 ms would time out forever.
    const slow = { ...WRITE_OK, afterMs: 300 };
    await withScriptedServer([slow], async (server) => {
      await withClient({ hosts: [server.host], timeoutMs: 100, timeoutCapMs: 10_000, clock: systemClock }, async (client) => {
        const waited: number[] = [];
        let answered = false;
        while (!answered && waited.length < 8) {
          const timeoutMs = client.timeoutFor(server.host);
          try {
            await write(client);
            answered = true;
          } catch (error) {
            expect(error).toEqual(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', reason: 'timeout' }));
            expect((error as Error).message).toContain(`timed out after ${timeoutMs} ms`);
            waited.push(timeoutMs);
          }
        }
        expect(answered).toBe(true);
        // 100, 200 (and more only if this host was slow to answer even in 400 ms): each twice the last.
        expect(waited.slice(0, 2)).toEqual([100, 200]);
        expect(waited.every((ms, i) => i === 0 || ms === 2 * (waited[i - 1] ?? 0))).toBe(true);
        // Measured now: at least the 300 ms answer (plus deviations), not the 100 ms floor.
        expect(client.timeoutFor(server.host)).toBeGreaterThan(300);
        await write(client);
      });
    });
  });

  test('the server destroys the socket: UPSTREAM_UNAVAILABLE reset, sent once, no other host tried', async () => {
    await withScriptedServer([{ kind: 'destroy' }], async (resetting) => {
      await withScriptedServer([WRITE_OK], async (live) => {
        // random 0 picks the first host; a reset may have reached the server, so no failover.
        const error = await withClient({ hosts: [resetting.host, live.host], random: () => 0 }, (client) => errorOf(write(client)));
        expect(error).toEqual(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', reason: 'reset' }));
        expect(resetting.requests).toHaveLength(1);
        expect(live.requests).toHaveLength(0);
      });
    });
  });

  test('connection refused: UPSTREAM_UNAVAILABLE refused', async () => {
    const port = await closedPort();
    const error = await withClient({ hosts: [`127.0.0.1:${port}`] }, (client) => errorOf(write(client)));
    expect(error).toEqual(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', reason: 'refused' }));
    expect(error.details).toEqual(expect.objectContaining({ host: `127.0.0.1:${port}`, errno: 'ECONNREFUSED' }));
  });

  test('the first host refuses connections: the call fails over to the next host', async () => {
    const dead = `127.0.0.1:${await closedPort()}`;
    await withScriptedServer([WRITE_OK], async (live) => {
      const { result, meta } = await withClient({ hosts: [dead, live.host], random: () => 0 }, (client) =>
        client.writeData({ topic: 'item', stage: 'pre_sync', date: '2022-01-01', requestId: 'r', body: encodeWriteBody(RECORDS) }),
      );
      expect(result.kind).toBe('accepted');
      expect(meta.host).toBe(live.host);
      const request = onlyRequest(live);
      // Signed for the host it reached, not the one it first tried.
      expect(request.header('host')).toBe(live.host);
      expectValidVolcSignature(request, SK);
    });
  });

  test('every host refuses: the last refusal is reported', async () => {
    const hosts = [`127.0.0.1:${await closedPort()}`, `127.0.0.1:${await closedPort()}`];
    const error = await withClient({ hosts, random: () => 0 }, (client) => errorOf(write(client)));
    expect(error).toEqual(expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', reason: 'refused' }));
    expect(error.details).toEqual(expect.objectContaining({ host: hosts[1] }));
  });

  test('aborting via AbortSignal while the server holds the request: REQUEST_ABORTED', async () => {
    await withScriptedServer([{ kind: 'hang' }], async (server) => {
      const controller = new AbortController();
      const error = await withClient({ hosts: [server.host] }, async (client) => {
        const pending = errorOf(write(client, { signal: controller.signal }));
        await server.waitForRequests(1);
        controller.abort();
        return pending;
      });
      expect(error).toEqual(expect.objectContaining({ code: 'REQUEST_ABORTED', retryable: true }));
      expect(server.requests).toHaveLength(1);
    });
  });

  test('an already aborted signal sends nothing', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      const error = await withClient({ hosts: [server.host] }, (client) => errorOf(write(client, { signal: AbortSignal.abort() })));
      expect(error.code).toBe('REQUEST_ABORTED');
      expect(server.requests).toHaveLength(0);
    });
  });
});

describe('https', () => {
  const tls = makeSelfSignedCert();

  test('a write over TLS, the certificate verified against the given CA', async () => {
    await withScriptedServer(
      [WRITE_OK],
      async (server) => {
        const { result } = await withClient({ hosts: [server.host], scheme: 'https', ca: tls.cert }, (client) =>
          client.writeData({ topic: 'item', stage: 'pre_sync', date: '2022-01-01', requestId: 'r', body: encodeWriteBody(RECORDS) }),
        );
        expect(result.kind).toBe('accepted');
        const request = onlyRequest(server);
        expect(request.header('host')).toBe(server.host);
        expectValidVolcSignature(request, SK);
      },
      { tls },
    );
  });

  test('without that CA the self-signed certificate is refused (control)', async () => {
    await withScriptedServer(
      [WRITE_OK],
      async (server) => {
        const error = await withClient({ hosts: [server.host], scheme: 'https' }, (client) => errorOf(write(client)));
        expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
        expect(error.details).toEqual(expect.objectContaining({ errno: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
        expect(server.requests).toHaveLength(0);
      },
      { tls },
    );
  });
});

describe('beforeSend: the last step before the bytes go out', () => {
  test('runs once per host tried, before anything is sent, and the signature is made after it', async () => {
    const dead = `127.0.0.1:${await closedPort()}`;
    await withScriptedServer([WRITE_OK], async (live) => {
      let now = NOW;
      const seenAtCall: number[] = [];
      const { result } = await withClient({ hosts: [dead, live.host], random: () => 0, clock: { now: () => now } }, (client) =>
        client.writeData({
          topic: 'item',
          stage: 'pre_sync',
          date: '2022-01-01',
          requestId: 'r',
          body: encodeWriteBody(RECORDS),
          beforeSend: () => {
            seenAtCall.push(live.requests.length);
            // The wait (a limiter grant) moves the clock on: the signature must carry the later time.
            now += 60_000;
            return Promise.resolve();
          },
        }),
      );
      expect(result.kind).toBe('accepted');
      expect(seenAtCall).toEqual([0, 0]);
      const request = onlyRequest(live);
      expect(request.header('x-date')).toBe(formatXDate(NOW + 120_000));
      expect(checkVolcSignature(request, SK)).toEqual(expect.objectContaining({ valid: true, bodyHashMatches: true }));
    });
  });

  test('the request timeout does not count the wait in beforeSend', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      const { result } = await withClient({ hosts: [server.host], timeoutMs: 200 }, (client) =>
        client.writeData({
          topic: 'item',
          stage: 'pre_sync',
          date: '2022-01-01',
          requestId: 'r',
          body: encodeWriteBody(RECORDS),
          beforeSend: () => new Promise((r) => setTimeout(r, 400)),
        }),
      );
      expect(result.kind).toBe('accepted');
    });
  });

  test('an error of beforeSend comes back as it is, and nothing is sent', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      const refusal = new Error('limiter wait aborted');
      const outcome = await withClient({ hosts: [server.host] }, (client) =>
        client
          .writeData({
            topic: 'item',
            stage: 'pre_sync',
            date: '2022-01-01',
            requestId: 'r',
            body: encodeWriteBody(RECORDS),
            beforeSend: () => Promise.reject(refusal),
          })
          .then(
            () => 'sent',
            (error: unknown) => error,
          ),
      );
      expect(outcome).toBe(refusal);
      expect(server.requests).toHaveLength(0);
    });
  });
});

describe('afterSend', () => {
  test('fires once the request is written, before the answer is read', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      const events: string[] = [];
      const pending = withClient({ hosts: [server.host] }, (client) =>
        client.writeData({
          topic: 'item',
          stage: 'pre_sync',
          date: '2022-01-01',
          requestId: 'r',
          body: encodeWriteBody(RECORDS),
          afterSend: () => events.push(`sent after ${server.requests.length} received`),
        }),
      );
      const { result } = await pending;
      events.push('answered');
      expect(result.kind).toBe('accepted');
      expect(events).toEqual([expect.stringMatching(/^sent after [01] received$/) as string, 'answered']);
    });
  });
});

describe('the path probe', () => {
  test("asks for a 100 Continue, does not wait for it, and reports its round trip beside the answer's", async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      const { meta } = await withClient({ hosts: [server.host], clock: systemClock }, (client) =>
        client.writeData({ topic: 'item', stage: 'pre_sync', date: '2022-01-01', requestId: 'r', body: encodeWriteBody(RECORDS) }),
      );
      expect(onlyRequest(server).header('expect')).toBe('100-continue');
      // Node's server answers the expectation on reading the headers, before the request's handler.
      expect(meta.continueMs).toBeGreaterThanOrEqual(0);
      expect(meta.continueMs).toBeLessThanOrEqual(meta.answerMs ?? Number.NaN);
    });
  });

  test('a front that refuses the expectation (417): the request is repeated at once without it, and so is every later one to that host', async () => {
    const script = (request: RecordedRequest): ScriptedReply => (request.header('expect') === undefined ? WRITE_OK : { kind: 'respond', status: 417 });
    await withScriptedServer(script, async (server) => {
      let sends = 0;
      await withClient({ hosts: [server.host] }, async (client) => {
        const write = (requestId: string): ReturnType<ByteairClient['writeData']> =>
          client.writeData({
            topic: 'item',
            stage: 'pre_sync',
            date: '2022-01-01',
            requestId,
            body: encodeWriteBody(RECORDS),
            beforeSend: () => {
              sends += 1;
              return Promise.resolve();
            },
          });
        expect((await write('r1')).result.kind).toBe('accepted');
        expect((await write('r2')).result.kind).toBe('accepted');
      });
      expect(server.requests.map((r) => r.header('expect') ?? null)).toEqual(['100-continue', null, null]);
      // The repeat took a limiter slot of its own.
      expect(sends).toBe(3);
    });
  });
});
