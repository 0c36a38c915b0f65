import type { Stage } from 'byteair-sync/internal/src/byteair/stage.js';
import type { DateStats } from './emulator-stats.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type DateEntry = Mutable<DateStats>;

/**
 * State and counters per (topic, stage, date): pending, then syncing on the first write,
 * then acked on Done; a write to an acked date is refused (protocol §8). Streaming has no
 * dates and one entry per topic. Later server states (archiving, done, failed, ...) are not
 * reached here because they follow minutes of server-side work.
 */
export class DateStates {
  readonly #entries = new Map<string, DateEntry>();

  entry(topic: string, stage: Stage, date: string | null): DateEntry {
    const key = `${topic}\n${stage}\n${date ?? ''}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = {
        topic,
        stage,
        date,
        state: date === null ? 'streaming' : 'pending',
        writeRequests: 0,
        acceptedRecords: 0,
        rejectedRecords: 0,
        duplicateRequests: 0,
        writesRefusedAfterAck: 0,
        firstWriteSeq: null,
        lastWriteSeq: null,
        doneSeq: null,
        repeatedDones: 0,
      };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  isAcked(topic: string, stage: Stage, date: string): boolean {
    return this.#entries.get(`${topic}\n${stage}\n${date}`)?.state === 'acked';
  }

  recordWrite(entry: DateEntry, seq: number, accepted: number, rejected: number): void {
    if (entry.state === 'pending') entry.state = 'syncing';
    entry.writeRequests += 1;
    entry.acceptedRecords += accepted;
    entry.rejectedRecords += rejected;
    // Writes are recorded when their ledger slices finish, not in the order they were applied.
    entry.firstWriteSeq = entry.firstWriteSeq === null ? seq : Math.min(entry.firstWriteSeq, seq);
    entry.lastWriteSeq = entry.lastWriteSeq === null ? seq : Math.max(entry.lastWriteSeq, seq);
  }

  /** Acks the date; returns false when it was acked already (a repeated Done). */
  ack(topic: string, stage: Stage, date: string, seq: number): boolean {
    const entry = this.entry(topic, stage, date);
    if (entry.state === 'acked') {
      entry.repeatedDones += 1;
      return false;
    }
    entry.state = 'acked';
    entry.doneSeq = seq;
    return true;
  }

  snapshot(): DateStats[] {
    const order = (a: DateStats, b: DateStats): number =>
      a.topic.localeCompare(b.topic) || a.stage.localeCompare(b.stage) || (a.date ?? '').localeCompare(b.date ?? '');
    return [...this.#entries.values()].map((e) => ({ ...e })).sort(order);
  }

  clear(): void {
    this.#entries.clear();
  }
}
