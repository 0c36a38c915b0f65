import type { OfflineStage } from 'byteair-sync/internal/src/byteair/stage.js';
import type { SyncProducer } from 'byteair-sync/internal/src/producer/sync-producer.js';
import type { OfflineBatch } from 'byteair-sync/internal/src/producer/offline-batch.js';
import { breaksRule, offlineRecord, offlineRecordId } from './chaos-records.js';

export interface BatchSpec {
  readonly topic: string;
  readonly stage: OfflineStage;
  readonly date: string;
  readonly records: number;
  /** Some records break REJECT_RULE (only sensible for `user`). */
  readonly withRejections?: boolean;
}

/** What a batch should come to: its ids, and which of them the API must refuse. */
export function expectedIds(spec: BatchSpec): { accepted: string[]; rejected: string[] } {
  const accepted: string[] = [];
  const rejected: string[] = [];
  for (let n = 0; n < spec.records; n += 1) {
    const id = offlineRecordId(spec.topic, spec.stage, spec.date, n);
    if (spec.withRejections === true && breaksRule(n)) rejected.push(id);
    else accepted.push(id);
  }
  return { accepted, rejected };
}

/** Slices of many sizes, so chunks of many sizes (every add() cuts its own trailing chunk). */
const SLICES = [1_500, 4_000, 137, 2_500, 9_999, 1, 777, 3_000];

export interface OfflineLoadFigures {
  readonly batches: number;
  readonly records: number;
  /** add()/seal() calls that failed (Redis away) and were made again. */
  readonly retriedCalls: number;
}

/**
 * Produces offline batches the way a careful application does: every add() is retried until
 * it resolves (re-adding the same records is a no-op by design), then the batch is sealed.
 * When run() resolves, every record was acknowledged.
 */
export class OfflineLoad {
  readonly #producer: SyncProducer;
  readonly #paceMs: number;
  #batches = 0;
  #records = 0;
  #retried = 0;

  /** `paceMs`: pause between two add() calls, so production overlaps the faults. */
  constructor(producer: SyncProducer, paceMs: number) {
    this.#producer = producer;
    this.#paceMs = paceMs;
  }

  figures(): OfflineLoadFigures {
    return { batches: this.#batches, records: this.#records, retriedCalls: this.#retried };
  }

  async run(specs: readonly BatchSpec[]): Promise<void> {
    for (const spec of specs) await this.#produce(spec);
  }

  async #produce(spec: BatchSpec): Promise<void> {
    const batch = await this.#retry(async () => await this.#producer.batch(spec.topic, spec.stage, spec.date));
    let from = 0;
    for (let slice = 0; from < spec.records; slice += 1) {
      const count = Math.min(SLICES[slice % SLICES.length] ?? 1_000, spec.records - from);
      const records = Array.from({ length: count }, (_, k) => offlineRecord(spec.topic, spec.stage, spec.date, from + k, spec.withRejections === true));
      await this.#retry(async () => await batch.add(records));
      from += count;
      this.#records += count;
      if (this.#paceMs > 0) await sleep(this.#paceMs);
    }
    await this.#seal(batch);
    this.#batches += 1;
  }

  async #seal(batch: OfflineBatch): Promise<void> {
    await this.#retry(async () => await batch.seal());
  }

  async #retry<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= 600) throw error;
        this.#retried += 1;
        await sleep(100);
      }
    }
  }
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
