import type { ExpectedSeries } from './ledger-check.js';
import type { FinishedChunk } from './finished-chunks.js';

/** What a stream producer (bench/stream-producer.ts) prints when it is done. */
export interface ProducerReport {
  readonly index: number;
  readonly pushed: Readonly<Record<string, number>>;
  /** [topic index, count, last entry id] per push, in order. */
  readonly pushes: ReadonlyArray<readonly [number, number, string]>;
  readonly topics: readonly string[];
  /** Ticks that came more than one interval late (the producer itself was starved). */
  readonly latePushes: number;
}

export function streamSeries(topic: string, index: number): string {
  return `${topic}-p${index}`;
}

export function expectedStreams(reports: readonly ProducerReport[]): ExpectedSeries[] {
  return reports.flatMap((r) => Object.entries(r.pushed).map(([topic, count]) => ({ topic, series: streamSeries(topic, r.index), count })));
}

type EntryId = readonly [number, number];

function parseEntryId(id: string): EntryId {
  const [ms, seq] = id.split('-');
  return [Number(ms), Number(seq)];
}

function compareIds(a: EntryId, b: EntryId): number {
  return a[0] - b[0] || a[1] - b[1];
}

export interface Attribution {
  /** Push-to-accepted ms of every record that was accepted. */
  readonly perRecordMs: number[];
  /** Per chunk, from its oldest record's push. */
  readonly perChunkOldestMs: number[];
  /**
   * Per chunk, where that time went (job timestamps): oldest push to the job's creation (the
   * batcher's cut), creation to a worker taking it (the queue), taken to accepted (the
   * limiter's wait and the request).
   */
  readonly perChunkStagesMs: { readonly cut: number[]; readonly queued: number[]; readonly limiterAndRequest: number[] };
  /** Records pushed but in no accepted chunk (still in flight, or lost). */
  readonly unattributed: number;
  /** Pushes whose last entry id was not inside the chunk it was counted into: must be 0. */
  readonly mismatches: number;
}

/**
 * Gives every streamed record its push time and its acceptance time. A push appends its
 * records atomically (one Lua call), so they sit next to each other in the topic's stream,
 * and a cut takes consecutive entries; ordering pushes by entry id and chunks by their first
 * entry id and walking both lines every record up with the chunk that carried it. Each
 * pairing is checked: the push's last entry id must lie within that chunk's range.
 * Push time = the ms part of the push's last entry id (Redis time; the records of one push
 * share it to within the Lua call), accepted = the chunk job's finishedOn.
 */
export function attribute(reports: readonly ProducerReport[], chunks: readonly FinishedChunk[]): Attribution {
  const perRecordMs: number[] = [];
  const perChunkOldestMs: number[] = [];
  const stages = { cut: [] as number[], queued: [] as number[], limiterAndRequest: [] as number[] };
  let unattributed = 0;
  let mismatches = 0;
  const topics = [...new Set(reports.flatMap((r) => r.topics))];
  for (const topic of topics) {
    const pushes = reports
      .flatMap((r) => r.pushes.filter(([t]) => r.topics[t] === topic).map(([, count, last]) => ({ count, last: parseEntryId(last) })))
      .sort((a, b) => compareIds(a.last, b.last));
    const carried = chunks
      .filter((c) => c.topic === topic && c.intake !== undefined)
      .map((c) => ({ ...c, first: parseEntryId(c.intake?.first ?? ''), last: parseEntryId(c.intake?.last ?? '') }))
      .sort((a, b) => compareIds(a.first, b.first));
    for (const c of carried) {
      perChunkOldestMs.push(c.finishedAt - c.first[0]);
      stages.cut.push(c.addedAt - c.first[0]);
      stages.queued.push(c.startedAt - c.addedAt);
      stages.limiterAndRequest.push(c.finishedAt - c.startedAt);
    }
    let at = 0;
    let left = carried[0]?.records ?? 0;
    for (const push of pushes) {
      for (let k = 0; k < push.count; k += 1) {
        while (left === 0 && at < carried.length) {
          at += 1;
          left = carried[at]?.records ?? 0;
        }
        const chunk = carried[at];
        if (chunk === undefined) {
          unattributed += push.count - k;
          break;
        }
        perRecordMs.push(chunk.finishedAt - push.last[0]);
        left -= 1;
        if (k === push.count - 1 && (compareIds(push.last, chunk.first) < 0 || compareIds(push.last, chunk.last) > 0)) mismatches += 1;
      }
    }
  }
  return { perRecordMs, perChunkOldestMs, perChunkStagesMs: stages, unattributed, mismatches };
}
