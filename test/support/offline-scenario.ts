import type { OfflineStage } from 'byteair-sync/internal/src/byteair/stage.js';
import { DEFAULT_ID_FIELDS } from 'byteair-emulator';
import { type TestSystem } from './system.js';
import { eventually } from './eventually.js';

export interface ScenarioBatch {
  readonly topic: string;
  readonly stage: OfflineStage;
  readonly date: string;
  readonly records: number;
}

export function recordId(topic: string, date: string, n: number): string {
  return `${topic}-${date}-${n}`;
}

/** Deterministic records with unique ids (the emulator ledger's id field per topic). */
export function makeRecords(topic: string, date: string, from: number, count: number): Array<Record<string, unknown>> {
  const idField = DEFAULT_ID_FIELDS[topic] ?? 'id';
  return Array.from({ length: count }, (_, k) => ({
    [idField]: recordId(topic, date, from + k),
    title: `record ${from + k} of ${topic}`,
    price: (from + k) % 1000,
    tags: ['a', 'b'],
  }));
}

/** Slices that make chunks of many sizes: every add() cuts its own trailing chunk. */
const SLICES = [137, 9_999, 4_000, 20_000, 1, 2_500, 10_000, 777];

/** Adds every batch's records in mixed slices, then seals them all. */
export async function produceAndSeal(system: TestSystem, batches: readonly ScenarioBatch[]): Promise<void> {
  for (const spec of batches) {
    const batch = await system.ops.producer.batch(spec.topic, spec.stage, spec.date);
    let from = 0;
    let slice = 0;
    while (from < spec.records) {
      const count = Math.min(SLICES[slice % SLICES.length] ?? 1000, spec.records - from);
      await batch.add(makeRecords(spec.topic, spec.date, from, count));
      from += count;
      slice += 1;
    }
    await batch.seal();
  }
}

export async function waitForAllDone(system: TestSystem, batches: readonly ScenarioBatch[], timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const statuses = await system.ops.producer.batches();
      // A chunk that failed for good keeps its batch from Done forever: say so now, with why.
      const failed = statuses.filter((s) => s.failedChunks.length > 0);
      if (failed.length > 0)
        throw new Error(`chunks failed for good: ${JSON.stringify(failed.map((s) => ({ batch: `${s.topic}/${s.stage}/${s.date}`, failed: s.failedChunks })))}`);
      const done = batches.every((b) => statuses.some((s) => s.topic === b.topic && s.stage === b.stage && s.date === b.date && s.state === 'done-acked'));
      return done ? true : undefined;
    },
    'every batch to be done-acked',
    timeoutMs,
    200,
    // A stall names its state: which batch, which queue, whether the circuit or a worker holds it.
    async () => await system.diagnose(),
  );
}

/**
 * Exact accounting against the emulator: every record accepted exactly
 * once, one Done per (topic, stage, date) after all of that date's writes, no limit excess.
 */
/** `alsoStreamed`: records per topic that arrived by streaming, on top of the batches. */
export async function expectExactAccounting(
  system: TestSystem,
  batches: readonly ScenarioBatch[],
  expectFn: typeof expect,
  alsoStreamed: Readonly<Record<string, number>> = {},
): Promise<void> {
  const stats = await system.emulator.stats();
  const windows = stats.windows;
  const { maxRequestsPerSecond, maxRecordsPerSecond } = system.config.limits;
  const excess =
    windows.requestsOverCeiling + windows.recordsOverCeiling > 0 ||
    windows.maxRequestsInWindow > maxRequestsPerSecond ||
    windows.maxRecordsInWindow > maxRecordsPerSecond;
  // The message carries every window figure, so a failure says by how much.
  expectFn(excess ? `limit excess seen by the emulator: ${JSON.stringify(windows)}` : 'within the ceiling').toBe('within the ceiling');
  const byTopic = new Map<string, number>();
  for (const b of batches) byTopic.set(b.topic, (byTopic.get(b.topic) ?? 0) + b.records);
  for (const [topic, count] of Object.entries(alsoStreamed)) byTopic.set(topic, (byTopic.get(topic) ?? 0) + count);
  for (const [topic, count] of byTopic) {
    const ledger = await system.emulator.ledger(topic);
    expectFn(ledger.size).toBe(count);
    expectFn([...ledger.values()].filter((n) => n !== 1)).toEqual([]);
    for (const b of batches.filter((x) => x.topic === topic)) {
      for (const probe of [0, Math.floor(b.records / 2), b.records - 1]) {
        expectFn(ledger.get(recordId(topic, b.date, probe))).toBe(1);
      }
    }
  }
  for (const b of batches) {
    const dones = stats.dones.filter((d) => d.topic === b.topic && d.stage === b.stage && d.dates.includes(b.date));
    expectFn(dones).toHaveLength(1);
    const date = stats.dates.find((d) => d.topic === b.topic && d.stage === b.stage && d.date === b.date);
    expectFn(date?.state).toBe('acked');
    expectFn(date?.acceptedRecords).toBe(b.records);
    expectFn(date?.repeatedDones).toBe(0);
    expectFn(date?.writesRefusedAfterAck).toBe(0);
    expectFn((date?.doneSeq ?? 0) > (date?.lastWriteSeq ?? Number.MAX_SAFE_INTEGER)).toBe(true);
  }
  expectFn(stats.totals.repeatedDones).toBe(0);
}

export async function failedJobCount(system: TestSystem): Promise<number> {
  const { upload, done } = system.ops.queues;
  const [a, b] = await Promise.all([upload.getFailedCount(), done.getFailedCount()]);
  return a + b;
}
