import type { OfflineStage } from 'byteair-sync/internal/src/byteair/stage.js';
import type { SyncProducer } from 'byteair-sync/internal/src/producer/sync-producer.js';
import type { ExpectedSeries } from './ledger-check.js';
import { prng, seriesRecords } from './records.js';

/** One (topic, stage, date) batch, added in these slices: every add() cuts its own trailing chunk. */
export interface BatchSpec {
  readonly topic: string;
  readonly stage: OfflineStage;
  readonly date: string;
  readonly slices: readonly number[];
}

export interface ProducedWorkload {
  readonly records: number;
  readonly chunks: number;
  /** Uncompressed JSON bytes of every chunk (what the API receives, before gzip). */
  readonly jsonBytes: number;
  readonly expected: ExpectedSeries[];
  readonly seconds: number;
}

function seriesOf(spec: Pick<BatchSpec, 'topic' | 'stage' | 'date'>): string {
  return `${spec.topic}-${spec.stage}-${spec.date}`;
}

/** Adds every batch through the producer API (chunk, gzip, blob, job) and seals it. */
export async function produceOffline(producer: SyncProducer, specs: readonly BatchSpec[]): Promise<ProducedWorkload> {
  const started = Date.now();
  let records = 0;
  let chunks = 0;
  let jsonBytes = 0;
  const expected: ExpectedSeries[] = [];
  for (const [index, spec] of specs.entries()) {
    const batch = await producer.batch(spec.topic, spec.stage, spec.date);
    const series = seriesOf(spec);
    const random = prng(index + 1);
    let from = 0;
    for (const slice of spec.slices) {
      const added = await batch.add(seriesRecords(spec.topic, series, from, slice, random));
      from += slice;
      chunks += added.chunks;
      jsonBytes += added.bytes;
    }
    await batch.seal();
    records += from;
    expected.push({ topic: spec.topic, series, count: from });
  }
  return { records, chunks, jsonBytes, expected, seconds: (Date.now() - started) / 1000 };
}

/** One batch per topic and date, each added in `slices`. */
export function batchGrid(topics: readonly string[], stage: OfflineStage, dates: readonly string[], slices: readonly number[]): BatchSpec[] {
  return topics.flatMap((topic) => dates.map((date) => ({ topic, stage, date, slices })));
}
