import { DEFAULT_ID_FIELDS } from 'byteair-emulator';
import { expectExactAccounting, failedJobCount, produceAndSeal, waitForAllDone, type ScenarioBatch } from '../support/offline-scenario.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { eventually } from '../support/eventually.js';

/**
 * Replay after an outage: streaming and daily load through a 60-second
 * API outage. Outages cost time, not data: 0 records lost, 0 sent under a second
 * Request-Id, 0 failed jobs; the circuit opens for every worker and closes on recovery.
 */
const OUTAGE_SECONDS = 60;
const BATCHES: readonly ScenarioBatch[] = [
  { topic: 'item', stage: 'incremental_sync_daily', date: '2022-02-01', records: 30_000 },
  { topic: 'user', stage: 'incremental_sync_daily', date: '2022-02-01', records: 30_000 },
];

function streamRecords(from: number, count: number): Array<Record<string, unknown>> {
  const idField = DEFAULT_ID_FIELDS.behavior ?? 'bhv_id';
  return Array.from({ length: count }, (_, k) => ({ [idField]: `bhv-${from + k}`, event: 'view' }));
}

test(`a ${OUTAGE_SECONDS}-second outage under streaming and daily load loses nothing, duplicates nothing, fails nothing`, async () => {
  const system: TestSystem = await startTestSystem({ env: { BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior' } });
  try {
    const workers = [system.startWorker(), system.startWorker()];
    await Promise.all(workers.map(async (w) => await w.ready));
    let pushed = 0;
    let pushing = true;
    // Streaming load all along: 500 records every 100 ms (5 000 records/s).
    const streaming = (async () => {
      while (pushing) {
        await system.ops.intake.push('behavior', streamRecords(pushed, 500));
        pushed += 500;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const offline = produceAndSeal(system, BATCHES);
    await eventually(async () => ((await system.emulator.stats()).totals.acceptedRecords > 20_000 ? true : undefined), 'uploads to be under way', 60_000);
    await system.emulator.outage(OUTAGE_SECONDS, 'refuse');
    await eventually(async () => ((await system.ops.operations.status()).circuit.state !== 'closed' ? true : undefined), 'the circuit to open', 30_000);
    // The API is down; wait it out (the emulator's admin endpoint is down with it).
    await eventually(
      async () => {
        try {
          return (await system.emulator.stats()) ? true : undefined;
        } catch {
          return undefined;
        }
      },
      'the emulator to come back',
      (OUTAGE_SECONDS + 30) * 1000,
      500,
    );
    await offline;
    pushing = false;
    await streaming;
    await waitForAllDone(system, BATCHES, 180_000);
    const final = await eventually(
      async () => {
        const s = await system.emulator.stats();
        return (s.topics.behavior?.acceptedRecords ?? 0) >= pushed ? s : undefined;
      },
      'every streaming record to be accepted',
      180_000,
      250,
    );
    await expectExactAccounting(system, BATCHES, expect);
    const ledger = await system.emulator.ledger('behavior');
    expect(ledger.size).toBe(pushed);
    expect([...ledger.values()].filter((n) => n !== 1)).toEqual([]);
    expect(final.topics.behavior?.acceptedRecords).toBe(pushed);
    expect(await failedJobCount(system)).toBe(0);
    expect((await system.ops.operations.status()).circuit.state).toBe('closed');
  } finally {
    await system.stop();
  }
}, 420_000);
