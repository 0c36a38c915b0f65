import type { Clock } from 'byteair-sync/internal/src/clock.js';
import { done, items, nextRequestId, TENANT, VECTOR_TIME_MS, withEmulator, write } from './support/fixture.js';
import { doneAnswer, writeAnswer } from './support/http.js';

/* Request-Id idempotency: a Request-Id seen before gets 409 and nothing is counted twice. */

test('the same Request-Id again gets 409 "duplicated request id" and its records are not counted again', async () => {
  await withEmulator({}, async (emulator) => {
    const requestId = nextRequestId('dup');
    expect(writeAnswer(await write(emulator, items(3), { requestId })).status.code).toBe(0);
    const again = await write(emulator, items(3), { requestId });
    expect(again.status).toBe(200);
    expect(writeAnswer(again).status).toEqual({ code: 409, message: 'duplicated request id', success: false });
    // The id is the key, whatever the body: a different body under a seen id is refused too.
    expect(writeAnswer(await write(emulator, items(5, 'other-'), { requestId })).status.code).toBe(409);
    const stats = emulator.stats();
    expect(stats.totals).toMatchObject({ writeRequests: 1, acceptedRecords: 3, duplicateRequests: 2 });
    expect(stats.dates).toEqual([expect.objectContaining({ date: '2022-01-01', writeRequests: 1, acceptedRecords: 3, duplicateRequests: 2 })]);
    expect(stats.topics.item).toMatchObject({ uniqueIds: 3, duplicateIds: 0 });
    expect([...emulator.ledger('item').values()]).toEqual([1, 1, 1]);
  });
});

test('a 1001 answer is applied, so its Request-Id is remembered', async () => {
  await withEmulator({ topics: [{ name: 'item', requiredFields: ['title'] }] }, async (emulator) => {
    const requestId = nextRequestId();
    expect(writeAnswer(await write(emulator, [{ id: 'a', title: 't' }, { id: 'b' }], { requestId })).status.code).toBe(1001);
    expect(writeAnswer(await write(emulator, [{ id: 'a', title: 't' }, { id: 'b' }], { requestId })).status.code).toBe(409);
    expect(emulator.stats().totals).toMatchObject({ acceptedRecords: 1, rejectedRecords: 1, duplicateRequests: 1 });
  });
});

test('a refused request (400) is not remembered: the fixed resend under the same Request-Id is applied', async () => {
  await withEmulator({}, async (emulator) => {
    const requestId = nextRequestId();
    expect(writeAnswer(await write(emulator, items(2), { requestId, date: 'bad' })).status.code).toBe(400);
    expect(writeAnswer(await write(emulator, items(2), { requestId })).status.code).toBe(0);
    expect(emulator.stats().totals).toMatchObject({ badRequests: 1, writeRequests: 1, duplicateRequests: 0 });
  });
});

test('Request-Ids are forgotten after the retention; a resend then counts again and shows in the ledger', async () => {
  const clock: Clock & { at: number } = { at: VECTOR_TIME_MS, now: () => clock.at };
  await withEmulator({ clock, requestIdRetentionMs: 60_000 }, async (emulator) => {
    const requestId = nextRequestId();
    const at = (offsetMs: number): number => {
      clock.at = VECTOR_TIME_MS + offsetMs;
      return clock.at;
    };
    expect(writeAnswer(await write(emulator, items(2), { requestId, now: at(0) })).status.code).toBe(0);
    expect(writeAnswer(await write(emulator, items(2), { requestId, now: at(59_999) })).status.code).toBe(409);
    expect(writeAnswer(await write(emulator, items(2), { requestId, now: at(60_000) })).status.code).toBe(0);
    expect(emulator.stats().totals).toMatchObject({ writeRequests: 2, acceptedRecords: 4, duplicateRequests: 1 });
    expect(emulator.stats().topics.item).toMatchObject({ uniqueIds: 2, duplicateIds: 2 });
  });
});

test('Done is idempotent by Request-Id too; a new Request-Id for an acked date is answered 0 and counted as repeated', async () => {
  await withEmulator({}, async (emulator) => {
    const requestId = nextRequestId('done');
    expect(doneAnswer(await done(emulator, ['2022-01-01'], { requestId })).code).toBe(0);
    expect(doneAnswer(await done(emulator, ['2022-01-01'], { requestId }))).toEqual({ code: 409, message: 'duplicated request id', success: false });
    expect(doneAnswer(await done(emulator, ['2022-01-01', '2022-01-02'], { requestId: nextRequestId('done') })).code).toBe(0);
    const stats = emulator.stats();
    expect(stats.totals).toMatchObject({ doneRequests: 2, duplicateRequests: 1, repeatedDones: 1 });
    expect(stats.dones.map((d) => [d.seq, d.newlyAcked, d.alreadyAcked])).toEqual([
      [1, ['2022-01-01'], []],
      [2, ['2022-01-02'], ['2022-01-01']],
    ]);
    expect(stats.dates.map((d) => [d.date, d.state, d.doneSeq, d.repeatedDones])).toEqual([
      ['2022-01-01', 'acked', 1, 1],
      ['2022-01-02', 'acked', 2, 0],
    ]);
  });
});

test('Request-Ids are per application', async () => {
  const other = { tenantId: '3000001', applicationId: '87654321', token: 'other-token' };
  await withEmulator({ tenants: [TENANT, other] }, async (emulator) => {
    const requestId = nextRequestId('shared');
    expect(writeAnswer(await write(emulator, items(1), { requestId })).status.code).toBe(0);
    expect(writeAnswer(await write(emulator, items(1), { requestId, auth: 'air', ...other })).status.code).toBe(0);
    expect(emulator.stats().totals.duplicateRequests).toBe(0);
  });
});
