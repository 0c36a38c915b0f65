import { DEFAULT_ID_FIELDS } from 'byteair-emulator';
import { expectExactAccounting, failedJobCount, produceAndSeal, waitForAllDone, type ScenarioBatch } from '../support/offline-scenario.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { eventually } from '../support/eventually.js';

/**
 * The whole pipeline (queues, blobs, limiter, guard, intake, circuit) unchanged on a
 * 3-master Redis Cluster: offline batches with their Dones, streaming released by the first
 * daily Done, and the limiter within the ceiling, with two worker processes.
 */
const BATCHES: readonly ScenarioBatch[] = [
  { topic: 'item', stage: 'history_sync', date: '2022-03-01', records: 40_000 },
  { topic: 'user', stage: 'history_sync', date: '2022-03-01', records: 20_000 },
  { topic: 'item', stage: 'incremental_sync_daily', date: '2022-03-02', records: 20_000 },
];

test('offline batches, Done, streaming and the limiter on a 3-master Redis Cluster', async () => {
  const system: TestSystem = await startTestSystem({ cluster: true });
  try {
    expect(system.cluster?.nodes).toHaveLength(3);
    const workers = [system.startWorker(), system.startWorker()];
    await Promise.all(workers.map(async (w) => await w.ready));
    const idField = DEFAULT_ID_FIELDS.item ?? 'id';
    await system.ops.intake.push(
      'item',
      Array.from({ length: 15_000 }, (_, i) => ({ [idField]: `item-stream-${i}` })),
    );
    await produceAndSeal(system, BATCHES);
    await waitForAllDone(system, BATCHES, 180_000);
    const stats = await eventually(
      async () => {
        const s = await system.emulator.stats();
        const streaming = s.dates.find((d) => d.topic === 'item' && d.stage === 'incremental_sync_streaming');
        return (streaming?.acceptedRecords ?? 0) >= 15_000 ? s : undefined;
      },
      'the streaming records to be accepted after the daily Done',
      120_000,
    );
    await expectExactAccounting(system, BATCHES, expect, { item: 15_000 });
    const daily = stats.dates.find((d) => d.topic === 'item' && d.stage === 'incremental_sync_daily');
    const streaming = stats.dates.find((d) => d.topic === 'item' && d.stage === 'incremental_sync_streaming');
    expect((streaming?.firstWriteSeq ?? 0) > (daily?.doneSeq ?? Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(stats.totals.orderingViolations).toBe(0);
    expect(await failedJobCount(system)).toBe(0);
    const status = await system.ops.operations.status();
    expect(status.circuit.state).toBe('closed');
    expect(status.limiter.maxRecordsPerSecond).toBe(50_000);
  } finally {
    await system.stop();
  }
}, 300_000);
