import { items, withEmulator, write } from './support/fixture.js';
import { admin, send, writeAnswer } from './support/http.js';

/* The admin endpoint under /__emulator/: the same controls as the TS API, over HTTP. */

test('GET health, stats and ledger mirror the TS API', async () => {
  await withEmulator({}, async (emulator) => {
    await write(emulator, items(2));
    await write(emulator, items(1));
    expect(await admin(emulator.url, 'GET', 'health')).toEqual({ status: 200, json: { ok: true, url: emulator.url, outage: null, storm: null } });
    expect((await admin(emulator.url, 'GET', 'stats')).json).toEqual(JSON.parse(JSON.stringify(emulator.stats())));
    expect((await admin(emulator.url, 'GET', 'ledger?topic=item')).json).toMatchObject({
      topic: 'item',
      idField: 'id',
      uniqueIds: 2,
      duplicateIds: 1,
      ids: { 'item-0': 2, 'item-1': 1 },
    });
    expect((await admin(emulator.url, 'GET', 'ledger?topic=item&duplicates=1')).json).toMatchObject({ ids: { 'item-0': 2 } });
  });
});

test('GET ledger answers a ledger of many pieces whole, in insertion order, duplicates filter included', async () => {
  await withEmulator({}, async (emulator) => {
    await write(emulator, items(4_500));
    await write(emulator, [...items(3), ...items(2, 'late-')]);
    const whole = (await admin(emulator.url, 'GET', 'ledger?topic=item')).json as { uniqueIds: number; ids: Record<string, number> };
    const expected = new Map([...items(4_500), ...items(2, 'late-')].map((r) => [r.id as string, 1]));
    for (const id of ['item-0', 'item-1', 'item-2']) expected.set(id, 2);
    expect(whole.uniqueIds).toBe(4_502);
    expect(new Map(Object.entries(whole.ids))).toEqual(expected);
    expect(Object.keys(whole.ids).slice(-2)).toEqual(['late-0', 'late-1']);
    expect((await admin(emulator.url, 'GET', 'ledger?topic=item&duplicates=1')).json).toMatchObject({ ids: { 'item-0': 2, 'item-1': 2, 'item-2': 2 } });
    expect(Object.keys(((await admin(emulator.url, 'GET', 'ledger?topic=item&duplicates=1')).json as { ids: object }).ids)).toHaveLength(3);
    expect((await admin(emulator.url, 'GET', 'ledger?topic=user')).json).toMatchObject({ topic: 'user', uniqueIds: 0, ids: {} });
  });
});

test('POST faults merges, validates, and applies at once', async () => {
  await withEmulator({}, async (emulator) => {
    expect(await admin(emulator.url, 'POST', 'faults', { p500: 1 })).toMatchObject({ status: 200, json: { p500: 1, p503: 0 } });
    expect((await write(emulator, items(1))).status).toBe(500);
    expect(await admin(emulator.url, 'POST', 'faults', { p500: 2 })).toEqual({
      status: 400,
      json: { error: { code: 'INVALID_INPUT', message: 'faults.p500: must be a number from 0 to 1 (got 2)' } },
    });
    expect((await admin(emulator.url, 'POST', 'faults', { p500: 0, latencyMs: 1 })).json).toMatchObject({ p500: 0, latencyMs: 1 });
    expect(writeAnswer(await write(emulator, items(1))).status.code).toBe(0);
  });
});

test('POST storm, then POST reset: 429s, then back to a clean state', async () => {
  await withEmulator({}, async (emulator) => {
    expect(await admin(emulator.url, 'POST', 'storm', { seconds: 30 })).toEqual({ status: 200, json: { storm: { seconds: 30 } } });
    expect(writeAnswer(await write(emulator, items(1))).status.code).toBe(429);
    expect(await admin(emulator.url, 'POST', 'reset')).toEqual({ status: 200, json: { reset: true } });
    expect(emulator.stats().totals.rateLimited).toBe(0);
    expect(writeAnswer(await write(emulator, items(1))).status.code).toBe(0);
  });
});

test('POST outage answers first, then takes the API down', async () => {
  await withEmulator({}, async (emulator) => {
    expect(await admin(emulator.url, 'POST', 'outage', { seconds: 3600, mode: 'refuse' })).toEqual({
      status: 202,
      json: { outage: { mode: 'refuse', seconds: 3600 } },
    });
    await expect(write(emulator, items(1))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await emulator.reset();
    expect(writeAnswer(await write(emulator, items(1))).status.code).toBe(0);
  });
});

test('bad admin input and unknown admin paths answer 400 and 404', async () => {
  await withEmulator({}, async (emulator) => {
    expect((await admin(emulator.url, 'POST', 'outage', { seconds: -1 })).status).toBe(400);
    expect((await admin(emulator.url, 'POST', 'outage', { seconds: 1, mode: 'flood' })).json).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect((await admin(emulator.url, 'GET', 'nothing')).status).toBe(404);
    expect((await admin(emulator.url, 'GET', 'ledger?topic=order')).json).toEqual({
      error: { code: 'INVALID_INPUT', message: 'topic: is not one of the topics (item, user, behavior) (got "order")' },
    });
    const notJson = await send(emulator.url, 'POST', '/__emulator/faults', [], Buffer.from('{oops'));
    expect(notJson.status).toBe(400);
    // Admin traffic is not API traffic.
    expect(emulator.stats().totals.requestsReceived).toBe(0);
  });
});

test('the SDK metrics sink paths answer 200 and are not counted', async () => {
  await withEmulator({}, async (emulator) => {
    expect((await send(emulator.url, 'POST', '/api/counter', [['Content-Type', 'application/protobuf']], Buffer.from([1, 2]))).status).toBe(200);
    expect(emulator.stats().totals.requestsReceived).toBe(0);
  });
});
