import { IdCounts } from './id-counts.js';

/** Per-topic figures of the ledger. */
export interface LedgerSummary {
  readonly idField: string;
  /** Distinct ids accepted. */
  readonly uniqueIds: number;
  /** Ids accepted more than once (under different Request-Ids): 0 proves exactly-once. */
  readonly duplicateIds: number;
  /** Accepted records that had no usable id (not a string or a number). */
  readonly recordsWithoutId: number;
}

/** A record's ledger id: its `idField` value when that is a string or a number, else undefined. */
export function recordIdOf(record: Readonly<Record<string, unknown>>, idField: string): string | undefined {
  const raw = record[idField];
  return typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
}

/** Ids recorded between two turns of the event loop (~1 ms of work). */
const LEDGER_SLICE = 1_000;

/**
 * Every accepted record id per topic, with how often it was accepted, so a test can prove
 * exactly-once delivery. Kept cheap, and off the heap (id-counts.ts): one hash-table update
 * per accepted record.
 */
export class IdLedger {
  readonly #topics = new Map<string, { idField: string; ids: IdCounts; duplicates: number; withoutId: number }>();

  constructor(idFields: ReadonlyMap<string, string>) {
    for (const [topic, idField] of idFields) this.#topics.set(topic, { idField, ids: new IdCounts(), duplicates: 0, withoutId: 0 });
  }

  idField(topic: string): string | undefined {
    return this.#topics.get(topic)?.idField;
  }

  /** Records one accepted record by its id (see recordIdOf; extracted where the body was parsed). */
  accept(topic: string, id: string): void {
    const entry = this.#topics.get(topic);
    if (entry === undefined) return;
    if (entry.ids.increment(id) === 2) entry.duplicates += 1;
  }

  /**
   * Records the accepted ids of one request, a slice at a time with the event loop free in
   * between: 10 000 ids take ~12 ms, and the thread that does this is the one that stamps
   * arrivals for the rate windows, so a request arriving meanwhile would be stamped late (a
   * real API's front door does not wait on its bookkeeping). Each id is counted atomically, so
   * requests applied concurrently still count every id exactly.
   */
  async acceptAll(topic: string, ids: readonly string[]): Promise<void> {
    for (let from = 0; from < ids.length; from += LEDGER_SLICE) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const to = Math.min(ids.length, from + LEDGER_SLICE);
      for (let i = from; i < to; i += 1) this.accept(topic, ids[i] as string);
    }
  }

  /** Counts accepted records that had no usable id. */
  acceptWithoutId(topic: string, count: number): void {
    const entry = this.#topics.get(topic);
    if (entry !== undefined) entry.withoutId += count;
  }

  /** Live read-only view: id to the number of times it was accepted. */
  ids(topic: string): ReadonlyMap<string, number> {
    return this.#topics.get(topic)?.ids ?? new Map<string, number>();
  }

  summary(topic: string): LedgerSummary | undefined {
    const entry = this.#topics.get(topic);
    return entry === undefined
      ? undefined
      : { idField: entry.idField, uniqueIds: entry.ids.size, duplicateIds: entry.duplicates, recordsWithoutId: entry.withoutId };
  }

  clear(): void {
    for (const entry of this.#topics.values()) {
      entry.ids.clear();
      entry.duplicates = 0;
      entry.withoutId = 0;
    }
  }
}
