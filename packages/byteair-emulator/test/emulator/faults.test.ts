import { UpstreamUnavailableError } from 'byteair-sync/internal/src/byteair/api-errors.js';
import { ByteairClient } from 'byteair-sync/internal/src/byteair/client.js';
import { encodeWriteBody } from 'byteair-sync/internal/src/byteair/payload.js';
import { systemClock } from 'byteair-sync/internal/src/clock.js';
import { Secret } from 'byteair-sync/internal/src/config/secret.js';
import { NO_FAULTS, type RunningEmulator } from '../../src/index.js';
import { drawFault, mergeFaults } from '../../src/emulator/faults.js';
import { InvalidInputError } from 'byteair-sync/internal/src/errors/invalid-input-error.js';
import { admin } from './support/http.js';
import { items, nextRequestId, TENANT, withEmulator, write } from './support/fixture.js';
import { writeAnswer } from './support/http.js';

/* Fault injection: each fault does what it says, is counted, and leaves state as documented. */

test('one draw picks at most one fault, in a fixed order of bands', () => {
  const faults = mergeFaults(NO_FAULTS, { p500: 0.1, p503: 0.2, pHang: 0.3, pReset: 0.1 });
  expect([0, 0.05, 0.15, 0.25, 0.35, 0.55, 0.65, 0.69, 0.75, 0.99].map((r) => drawFault(faults, () => r))).toEqual([
    'http500',
    'http500',
    'http503',
    'http503',
    'hang',
    'hang',
    'reset',
    'reset',
    'none',
    'none',
  ]);
});

test('fault settings are validated, naming the field and the value', () => {
  expect(() => mergeFaults(NO_FAULTS, { p500: 1.5 })).toThrow(new InvalidInputError('faults.p500', 1.5, 'must be a number from 0 to 1'));
  expect(() => mergeFaults(NO_FAULTS, { p500: 0.6, pReset: 0.6 })).toThrow(InvalidInputError);
  expect(() => mergeFaults(NO_FAULTS, { p501: 0.1 })).toThrow(/faults\.p501: unknown fault/);
  expect(() => mergeFaults(NO_FAULTS, { recordRejections: [{ field: 'x', reason: 'r' }] })).toThrow(/needs exactly one of missing, equals, matches/);
  expect(() => mergeFaults(NO_FAULTS, { recordRejections: [{ field: 'x', matches: '(', reason: 'r' }] })).toThrow(/not a valid regular expression/);
});

test('p500: HTTP 500 and nothing applied', async () => {
  await withEmulator({ faults: { p500: 1 } }, async (emulator) => {
    expect((await write(emulator, items(1))).status).toBe(500);
    expect(emulator.stats().faults).toMatchObject({ http500: 1 });
    expect(emulator.stats().totals).toMatchObject({ requestsReceived: 1, writeRequests: 0 });
  });
});

test('p503: HTTP 503', async () => {
  await withEmulator({ faults: { p503: 1 } }, async (emulator) => {
    expect((await write(emulator, items(1))).status).toBe(503);
    expect(emulator.stats().faults).toMatchObject({ http503: 1 });
  });
});

test('afterApply: the answer is lost but the data landed, so the retry under the same Request-Id gets 409', async () => {
  await withEmulator({ faults: { p500: 1, afterApply: true } }, async (emulator) => {
    const requestId = nextRequestId('lost');
    expect((await write(emulator, items(2), { requestId })).status).toBe(500);
    emulator.setFaults({ p500: 0 });
    expect(writeAnswer(await write(emulator, items(2), { requestId })).status.code).toBe(409);
    expect(emulator.stats().totals).toMatchObject({ writeRequests: 1, acceptedRecords: 2, duplicateRequests: 1 });
  });
});

test('pReset: the connection is reset without an answer', async () => {
  await withEmulator({ faults: { pReset: 1 } }, async (emulator) => {
    await expect(write(emulator, items(1))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(emulator.stats().faults).toMatchObject({ reset: 1 });
    expect(emulator.stats().totals.writeRequests).toBe(0);
  });
});

test("pHang: the request is held past the client's timeout, which the client reports as a timeout", async () => {
  await withEmulator({ faults: { pHang: 1, hangMs: 60_000 } }, async (emulator) => {
    const client = new ByteairClient({
      hosts: [`${emulator.host}:${emulator.port}`],
      scheme: 'http',
      tenantId: TENANT.tenantId,
      applicationId: TENANT.applicationId,
      auth: { kind: 'volc', ak: TENANT.ak, sk: new Secret(TENANT.sk) },
      timeoutMs: 200,
      clock: systemClock,
      random: Math.random,
    });
    try {
      const call = client.writeData({
        topic: 'item',
        stage: 'incremental_sync_streaming',
        date: undefined,
        requestId: nextRequestId(),
        body: encodeWriteBody(items(1)),
      });
      await expect(call).rejects.toBeInstanceOf(UpstreamUnavailableError);
      await expect(call).rejects.toMatchObject({ reason: 'timeout' });
    } finally {
      client.close();
    }
    expect(emulator.stats().faults).toMatchObject({ hang: 1 });
    expect(emulator.stats().totals.writeRequests).toBe(0);
  });
});

test('latency and jitter delay the answer (counted; the duration itself is not asserted)', async () => {
  await withEmulator({ faults: { latencyMs: 20, jitterMs: 10 }, random: () => 0.5 }, async (emulator) => {
    expect(writeAnswer(await write(emulator, items(1))).status.code).toBe(0);
    expect(emulator.stats().faults).toMatchObject({ delayed: 1 });
  });
});

describe('scheduled outages', () => {
  async function during(mode: 'refuse' | '503' | 'reset', check: (emulator: RunningEmulator) => Promise<void>): Promise<void> {
    await withEmulator({}, async (emulator) => {
      const port = emulator.port;
      const outage = await emulator.scheduleOutage(0.3, mode);
      await check(emulator);
      await outage.ended;
      expect(emulator.port).toBe(port);
      expect(writeAnswer(await write(emulator, items(1))).status.code).toBe(0);
    });
  }

  test('refuse: the port is closed, then listening again on the same port', async () => {
    await during('refuse', async (emulator) => {
      await expect(write(emulator, items(1))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });
  });

  test('503: HTTP 503 with Retry-After; the admin endpoint still answers', async () => {
    await during('503', async (emulator) => {
      const reply = await write(emulator, items(1));
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('1');
      expect((await admin(emulator.url, 'GET', 'health')).json).toMatchObject({ outage: { mode: '503' } });
      expect(emulator.stats().faults).toMatchObject({ outage503: 1 });
    });
  });

  test('reset: every connection is reset', async () => {
    await during('reset', async (emulator) => {
      await expect(write(emulator, items(1))).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(emulator.stats().faults).toMatchObject({ outageReset: 1 });
    });
  });

  test('reset() ends an outage early', async () => {
    await withEmulator({}, async (emulator) => {
      const outage = await emulator.scheduleOutage(3600, 'refuse');
      await emulator.reset();
      await outage.ended;
      expect(writeAnswer(await write(emulator, items(1))).status.code).toBe(0);
    });
  });
});

test('per-record rejection rules: matching records come back in 1001 and are not accepted', async () => {
  await withEmulator(
    {
      faults: {
        recordRejections: [
          { field: 'price', missing: true, reason: 'price is missing' },
          { topic: 'item', field: 'status', equals: 0, reason: 'offline item' },
          { topic: 'user', field: 'status', equals: 0, reason: 'never applies to items' },
          { field: 'title', matches: '^bad', reason: 'bad title' },
        ],
      },
    },
    async (emulator) => {
      const records = [
        { id: 'ok', price: 1, title: 'fine', status: 1 },
        { id: 'no-price', title: 'fine' },
        { id: 'offline', price: 1, status: 0 },
        { id: 'titled', price: 1, title: 'bad one' },
      ];
      const answer = writeAnswer(await write(emulator, records));
      expect(answer.status.code).toBe(1001);
      expect(answer.errors).toEqual([
        { message: 'price is missing', data: '{"id":"no-price","title":"fine"}' },
        { message: 'offline item', data: '{"id":"offline","price":1,"status":0}' },
        { message: 'bad title', data: '{"id":"titled","price":1,"title":"bad one"}' },
      ]);
      expect([...emulator.ledger('item').keys()]).toEqual(['ok']);
      expect(emulator.stats().totals).toMatchObject({ acceptedRecords: 1, rejectedRecords: 3 });
    },
  );
});

test('faults change at run time and reset() restores the start-up ones', async () => {
  await withEmulator({ faults: { latencyMs: 5 } }, async (emulator) => {
    expect(emulator.setFaults({ p503: 1 })).toMatchObject({ p503: 1, latencyMs: 5 });
    expect((await write(emulator, items(1))).status).toBe(503);
    await emulator.reset();
    expect(emulator.faults()).toEqual({ ...NO_FAULTS, latencyMs: 5 });
    expect(writeAnswer(await write(emulator, items(1))).status.code).toBe(0);
  });
});

test('oddAnswer: validated; given to the first oddAnswerTimes requests, nothing applied; then real answers again', async () => {
  expect(() => mergeFaults(NO_FAULTS, { oddAnswer: 'http-200' })).toThrow(/faults\.oddAnswer: must be null, http-300 to http-599, or one of empty-200/);
  expect(() => mergeFaults(NO_FAULTS, { oddAnswer: 'weird' })).toThrow(InvalidInputError);
  expect(() => mergeFaults(NO_FAULTS, { oddAnswerTimes: 1.5 })).toThrow(new InvalidInputError('faults.oddAnswerTimes', 1.5, 'must be a whole number'));
  await withEmulator({}, async (emulator) => {
    expect((await admin(emulator.url, 'POST', 'faults', { oddAnswer: 'http-413', oddAnswerTimes: 2 })).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await write(emulator, items(2, `odd-${i}-`))).status);
    expect(statuses).toEqual([413, 413, 200]);
    expect(emulator.stats().faults.oddAnswer).toBe(2);
    expect([...emulator.ledger('item').keys()]).toEqual(['odd-2-0', 'odd-2-1']);
    emulator.setFaults({ oddAnswer: 'empty-200', oddAnswerTimes: 0, afterApply: true });
    const reply = await write(emulator, items(1, 'applied-'));
    expect({ status: reply.status, bytes: reply.body.length }).toEqual({ status: 200, bytes: 0 });
    expect(emulator.ledger('item').get('applied-0')).toBe(1);
  });
});
