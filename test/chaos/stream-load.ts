import type { StreamIntake } from 'byteair-sync/internal/src/streaming/stream-intake.js';
import { streamRecord, streamRecordId } from './chaos-records.js';
import { sleep } from './offline-load.js';

export interface StreamSpec {
  readonly topic: string;
  /** Records per push. */
  readonly perPush: number;
  /** Pause between two pushes. */
  readonly everyMs: number;
}

export interface TopicPushes {
  readonly topic: string;
  /** Records whose push() resolved. */
  readonly acknowledged: number;
  /** Records whose push() rejected: they may or may not be in Redis (never retried). */
  readonly unknown: number;
}

/** Record numbers [from, from + count) of one push. */
interface PushRange {
  readonly from: number;
  readonly count: number;
}

/**
 * Streaming load: one sequential pusher per topic at a steady pace. A push that rejects has an
 * unknown outcome (it may have reached Redis before the connection broke), so it is recorded
 * as such and not retried: StreamIntake.push() has no idempotency key, and a retry could put
 * the same records in the intake twice (see docs/durability.md, "Known gaps").
 */
export class StreamLoad {
  readonly #intake: StreamIntake;
  readonly #specs: readonly StreamSpec[];
  readonly #acked = new Map<string, PushRange[]>();
  readonly #unknown = new Map<string, PushRange[]>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #running = false;
  #paused: Promise<void> | undefined;
  #resume: (() => void) | undefined;
  #loops: Array<Promise<void>> = [];

  constructor(intake: StreamIntake, specs: readonly StreamSpec[]) {
    this.#intake = intake;
    this.#specs = specs;
  }

  start(): void {
    this.#running = true;
    this.#loops = this.#specs.map(async (spec) => await this.#loop(spec));
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.resume();
    await Promise.all(this.#loops);
  }

  /** Holds new pushes and waits until none is in flight. */
  async quiesce(): Promise<void> {
    this.#paused ??= new Promise((resolve) => {
      this.#resume = resolve;
    });
    await Promise.allSettled([...this.#inFlight]);
  }

  resume(): void {
    this.#resume?.();
    this.#paused = undefined;
    this.#resume = undefined;
  }

  figures(): TopicPushes[] {
    return this.#specs.map(({ topic }) => ({ topic, acknowledged: total(this.#acked.get(topic)), unknown: total(this.#unknown.get(topic)) }));
  }

  acknowledgedIds(topic: string): string[] {
    return idsOf(topic, this.#acked.get(topic));
  }

  unknownIds(topic: string): string[] {
    return idsOf(topic, this.#unknown.get(topic));
  }

  async #loop(spec: StreamSpec): Promise<void> {
    let next = 0;
    while (this.#running) {
      if (this.#paused !== undefined) {
        await this.#paused;
        continue;
      }
      const range = { from: next, count: spec.perPush };
      next += spec.perPush;
      const records = Array.from({ length: range.count }, (_, k) => streamRecord(spec.topic, range.from + k));
      const push = this.#intake.push(spec.topic, records);
      this.#inFlight.add(push);
      try {
        await push;
        append(this.#acked, spec.topic, range);
      } catch {
        append(this.#unknown, spec.topic, range);
      } finally {
        this.#inFlight.delete(push);
      }
      await sleep(spec.everyMs);
    }
  }
}

function append(map: Map<string, PushRange[]>, topic: string, range: PushRange): void {
  const list = map.get(topic) ?? [];
  list.push(range);
  map.set(topic, list);
}

function total(ranges: readonly PushRange[] | undefined): number {
  return (ranges ?? []).reduce((sum, r) => sum + r.count, 0);
}

function idsOf(topic: string, ranges: readonly PushRange[] | undefined): string[] {
  return (ranges ?? []).flatMap((r) => Array.from({ length: r.count }, (_, k) => streamRecordId(topic, r.from + k)));
}
