import type { Stage } from 'byteair-sync/internal/src/byteair/stage.js';
import { done, items, nextRequestId, TENANT, withEmulator, write } from './support/fixture.js';
import { doneAnswer, writeAnswer } from './support/http.js';

/* Per-date state (syncing, acked) and the daily/streaming ordering of each topic. */

const STAGE_MESSAGE = (stage: Stage, topic: string): string =>
  `Syncing is end or not start in stage(${stage}) for tenant/application_id(${TENANT.applicationId}) topic(${topic}), please check the 'stage'`;

test('a date is syncing after its first write and acked after Done; Done comes after all its chunks', async () => {
  await withEmulator({}, async (emulator) => {
    for (let chunk = 0; chunk < 3; chunk += 1) {
      expect(writeAnswer(await write(emulator, items(2, `c${chunk}-`), { stage: 'history_sync', date: '2021-12-30' })).status.code).toBe(0);
    }
    expect(emulator.stats().dates).toEqual([expect.objectContaining({ stage: 'history_sync', date: '2021-12-30', state: 'syncing', writeRequests: 3 })]);
    expect(doneAnswer(await done(emulator, ['2021-12-30'], { stage: 'history_sync' })).code).toBe(0);
    const [date] = emulator.stats().dates;
    expect(date).toEqual({
      topic: 'item',
      stage: 'history_sync',
      date: '2021-12-30',
      state: 'acked',
      writeRequests: 3,
      acceptedRecords: 6,
      rejectedRecords: 0,
      duplicateRequests: 0,
      writesRefusedAfterAck: 0,
      firstWriteSeq: 1,
      lastWriteSeq: 3,
      doneSeq: 4,
      repeatedDones: 0,
    });
  });
});

test('a write after Done gets 400 "Syncing is not allowed when acked." and changes nothing; other dates and stages are open', async () => {
  await withEmulator({}, async (emulator) => {
    await write(emulator, items(1));
    await done(emulator, ['2022-01-01']);
    const late = await write(emulator, items(1, 'late-'));
    expect(writeAnswer(late).status).toEqual({ code: 400, message: 'Syncing is not allowed when acked.', success: false });
    expect(writeAnswer(await write(emulator, items(1, 'next-'), { date: '2022-01-02' })).status.code).toBe(0);
    expect(writeAnswer(await write(emulator, items(1, 'hist-'), { stage: 'history_sync' })).status.code).toBe(0);
    const stats = emulator.stats();
    expect(stats.badRequests).toEqual({ acked: 1 });
    expect(stats.totals).toMatchObject({ writeRequests: 3, acceptedRecords: 3, badRequests: 1 });
    expect(stats.dates.map((d) => [d.stage, d.date, d.state, d.writesRefusedAfterAck])).toEqual([
      ['history_sync', '2022-01-01', 'syncing', 0],
      ['pre_sync', '2022-01-01', 'acked', 1],
      ['pre_sync', '2022-01-02', 'syncing', 0],
    ]);
    expect(emulator.ledger('item').has('late-0')).toBe(false);
  });
});

test('a retry of a chunk applied before Done gets 409, not 400: the Request-Id is checked first', async () => {
  await withEmulator({}, async (emulator) => {
    const requestId = nextRequestId('chunk');
    await write(emulator, items(2), { requestId });
    await done(emulator, ['2022-01-01']);
    expect(writeAnswer(await write(emulator, items(2), { requestId })).status.code).toBe(409);
  });
});

describe('ordering, counted (default)', () => {
  test("streaming before the topic's first daily Done is a violation, and the topic goes streaming-only", async () => {
    await withEmulator({}, async (emulator) => {
      const requestId = nextRequestId('stream');
      expect(writeAnswer(await write(emulator, items(1), { stage: 'incremental_sync_streaming', requestId })).status.code).toBe(0);
      expect(writeAnswer(await write(emulator, items(1, 'd'), { stage: 'incremental_sync_daily' })).status.code).toBe(0);
      expect(doneAnswer(await done(emulator, ['2022-01-01'], { stage: 'incremental_sync_daily', requestId: 'daily-done' })).code).toBe(0);
      const stats = emulator.stats();
      expect(stats.totals.orderingViolations).toBe(3);
      expect(stats.orderingViolations).toEqual([
        { kind: 'streaming-before-daily-done', call: 'write', topic: 'item', stage: 'incremental_sync_streaming', requestId, refused: false },
        {
          kind: 'daily-after-streaming-only',
          call: 'write',
          topic: 'item',
          stage: 'incremental_sync_daily',
          requestId: expect.any(String) as string,
          refused: false,
        },
        { kind: 'daily-after-streaming-only', call: 'done', topic: 'item', stage: 'incremental_sync_daily', requestId: 'daily-done', refused: false },
      ]);
      expect(stats.topics.item).toMatchObject({ streamingOnly: 'went', dailyDone: true });
    });
  });

  test('daily, its Done, then streaming: no violation; other stages never count', async () => {
    await withEmulator({}, async (emulator) => {
      await write(emulator, items(1), { stage: 'pre_sync' });
      await write(emulator, items(1), { stage: 'incremental_sync_daily' });
      await done(emulator, ['2022-01-01'], { stage: 'incremental_sync_daily' });
      await write(emulator, items(1, 's'), { stage: 'incremental_sync_streaming' });
      await write(emulator, items(1, 'd2'), { stage: 'incremental_sync_daily', date: '2022-01-02' });
      // Another topic's daily Done does not open streaming for this one.
      await write(emulator, [{ user_id: 'u' }], { stage: 'incremental_sync_streaming', topic: 'user' });
      const stats = emulator.stats();
      expect(stats.orderingViolations.map((v) => [v.topic, v.kind])).toEqual([['user', 'streaming-before-daily-done']]);
      expect(stats.topics.item).toMatchObject({ streamingOnly: false, dailyDone: true });
    });
  });

  test('a declared streaming-only topic may stream at once; daily data for it is a violation', async () => {
    await withEmulator({ streamingOnlyTopics: ['behavior'] }, async (emulator) => {
      await write(emulator, [{ bhv_id: 'b1' }], { topic: 'behavior', stage: 'incremental_sync_streaming' });
      await write(emulator, [{ bhv_id: 'b2' }], { topic: 'behavior', stage: 'incremental_sync_daily' });
      expect(emulator.stats().orderingViolations.map((v) => [v.topic, v.kind])).toEqual([['behavior', 'daily-after-streaming-only']]);
      expect(emulator.stats().topics.behavior).toMatchObject({ streamingOnly: 'declared' });
    });
  });
});

describe('ordering, strict', () => {
  test('streaming before the daily Done is refused with 400 and not applied; after the Done it flows', async () => {
    await withEmulator({ strictOrdering: true }, async (emulator) => {
      const early = await write(emulator, items(1), { stage: 'incremental_sync_streaming' });
      expect(writeAnswer(early).status).toEqual({ code: 400, message: STAGE_MESSAGE('incremental_sync_streaming', 'item'), success: false });
      expect(emulator.stats().topics.item).toMatchObject({ streamingOnly: false, acceptedRecords: 0 });
      await write(emulator, items(1, 'd'), { stage: 'incremental_sync_daily' });
      await done(emulator, ['2022-01-01'], { stage: 'incremental_sync_daily' });
      expect(writeAnswer(await write(emulator, items(1), { stage: 'incremental_sync_streaming' })).status.code).toBe(0);
      const stats = emulator.stats();
      expect(stats.orderingViolations).toEqual([expect.objectContaining({ kind: 'streaming-before-daily-done', refused: true })]);
      expect(stats.badRequests).toEqual({ ordering: 1 });
      expect(stats.totals).toMatchObject({ writeRequests: 2, doneRequests: 1, orderingViolations: 1 });
    });
  });

  test('daily data for a declared streaming-only topic is refused, write and Done alike', async () => {
    await withEmulator({ strictOrdering: true, streamingOnlyTopics: ['behavior'] }, async (emulator) => {
      expect(writeAnswer(await write(emulator, [{ bhv_id: 'b' }], { topic: 'behavior', stage: 'incremental_sync_daily' })).status.message).toBe(
        STAGE_MESSAGE('incremental_sync_daily', 'behavior'),
      );
      expect(doneAnswer(await done(emulator, ['2022-01-01'], { topic: 'behavior', stage: 'incremental_sync_daily' })).code).toBe(400);
      expect(writeAnswer(await write(emulator, [{ bhv_id: 'b' }], { topic: 'behavior', stage: 'incremental_sync_streaming' })).status.code).toBe(0);
      expect(emulator.stats().totals).toMatchObject({ orderingViolations: 2, badRequests: 2, writeRequests: 1, doneRequests: 0 });
    });
  });
});
