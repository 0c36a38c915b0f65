import { items, withEmulator, write } from './support/fixture.js';
import { writeAnswer } from './support/http.js';

/*
 * Exact-accounting tests wait until the emulator's counters show N records accepted
 * and then read the ledger. The counters must never run ahead of the ledger: a write's ids are
 * recorded a slice at a time with the event loop free in between, and a counter bumped before
 * the last slice let a reader see "15 000 accepted" and a ledger 2 000 short.
 */

/** Resolves on the first turn of the event loop where `ready()` holds, with what `read()` saw then. */
async function firstTurnWhere<T>(ready: () => boolean, read: () => T, maxTurns = 100_000): Promise<T> {
  for (let turn = 0; turn < maxTurns; turn += 1) {
    if (ready()) return read();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`condition not met in ${maxTurns} turns of the event loop`);
}

test('the moment the counters show a write accepted, the ledger holds every id of it', async () => {
  await withEmulator({}, async (emulator) => {
    const records = items(10_000);
    const answer = write(emulator, records);
    // Checked on every turn of the loop, so a reader between two ledger slices is not missed.
    const seen = await firstTurnWhere(
      () => emulator.stats().totals.acceptedRecords >= records.length,
      () => {
        const stats = emulator.stats();
        const date = stats.dates.find((d) => d.topic === 'item');
        return {
          ledger: emulator.ledger('item').size,
          uniqueIds: stats.topics.item?.uniqueIds,
          dateAccepted: date?.acceptedRecords,
          topicAccepted: stats.topics.item?.acceptedRecords,
        };
      },
    );
    expect(writeAnswer(await answer).status.code).toBe(0);
    expect(seen).toEqual({ ledger: 10_000, uniqueIds: 10_000, dateAccepted: 10_000, topicAccepted: 10_000 });
  });
});
