import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Clock } from '../clock.js';
import type { TopicConfig } from '../config/config.js';
import type { BlobStore } from '../batches/blob-store.js';
import type { RedisStageGuard } from '../guard/stage-guard.js';
import { streamingAllowed } from '../guard/stage-rules.js';
import type { Logger } from '../observability/logger.js';
import { JOB_DATA_VERSION, type WriteJobData } from '../queue/job-data.js';
import { streamingWriteRequestId } from '../queue/request-id.js';
import type { SyncEnqueuer } from '../queue/sync-enqueuer.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { decideCut, type CutDecision, type CutPolicy } from './cut-policy.js';
import { INTAKE_COMMIT, INTAKE_CUT, INTAKE_MARK_IN_FLIGHT, INTAKE_RECLAIM, INTAKE_STATE } from './intake-scripts.js';

const gzipAsync = promisify(gzip);

export interface StreamBatcherOptions {
  readonly redis: RedisClient;
  /** A second connection for pub/sub (guard releases wake the batcher at once). */
  readonly subscriber?: RedisClient;
  readonly keys: Keyspace;
  readonly topics: readonly TopicConfig[];
  readonly guard: RedisStageGuard;
  readonly enqueuer: SyncEnqueuer;
  readonly blobs: BlobStore;
  readonly applicationId: string;
  readonly policy: CutPolicy;
  /** Byte cap of one request's JSON (BYTEAIR_MAX_REQUEST_BYTES): a cut stops before it. */
  readonly maxRequestBytes: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Re-check interval when there is nothing to do. */
  readonly idleMs?: number;
  /** A cut whose batcher has not turned it into a job after this long is taken over. */
  readonly cutLeaseMs?: number;
}

export interface TickResult {
  readonly decision: CutDecision;
  /** Records turned into an upload job by this tick. */
  readonly cutRecords: number;
}

/**
 * Cuts each topic's intake into upload chunks. Safe to run in several processes at once:
 * a cut moves the intake cursor atomically (compare-and-set), so two batchers never take
 * the same records, and a cut is re-done with the same Request-Id if its batcher dies.
 */
export class StreamBatcher {
  readonly #o: StreamBatcherOptions;
  readonly #owner = randomUUID();
  readonly #idleMs: number;
  readonly #leaseMs: number;
  readonly #wakers = new Map<string, () => void>();
  /** Streaming never goes back on hold once allowed, so the answer is kept. */
  readonly #allowed = new Set<string>();
  #running = false;
  #loops: Array<Promise<void>> = [];

  constructor(options: StreamBatcherOptions) {
    this.#o = options;
    this.#idleMs = options.idleMs ?? Math.max(10, Math.min(100, Math.floor(options.policy.maxWaitMs / 4)));
    this.#leaseMs = options.cutLeaseMs ?? 30_000;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const subscriber = this.#o.subscriber;
    if (subscriber !== undefined) {
      subscriber.on('message', (_channel: string, topic: string) => this.#wakers.get(topic)?.());
      await subscriber.subscribe(this.#o.keys.guardEvents);
    }
    this.#loops = this.#o.topics.map((topic) => this.#loop(topic.name));
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const wake of this.#wakers.values()) wake();
    await Promise.all(this.#loops);
    this.#loops = [];
    if (this.#o.subscriber !== undefined) await this.#o.subscriber.unsubscribe(this.#o.keys.guardEvents);
  }

  /** Wakes a topic's loop now (after a push, in tests). */
  wake(topic: string): void {
    this.#wakers.get(topic)?.();
  }

  async #loop(topic: string): Promise<void> {
    while (this.#running) {
      let wait: number;
      try {
        const { decision } = await this.tick(topic);
        wait = decision.kind === 'cut' ? 0 : decision.ms;
      } catch (error) {
        this.#o.logger.error({ err: error, topic }, 'streaming batcher tick failed; retrying');
        wait = this.#idleMs * 10;
      }
      if (wait > 0 && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, wait);
          function done(): void {
            clearTimeout(timer);
            resolve();
          }
          this.#wakers.set(topic, done);
        });
      }
    }
  }

  /** One look at the topic's intake: finish a stale cut, or cut a chunk if one is due. */
  async tick(topic: string): Promise<TickResult> {
    const { redis, keys } = this.#o;
    const state = (await INTAKE_STATE.run(
      redis,
      [keys.intake(topic), keys.intakeMeta(topic), keys.intakeCuts(topic), keys.intakeInflight(topic)],
      [this.#leaseMs],
    )) as [number, string, number, string, number, string];
    const [now, cursor, uncut, oldest, inFlight, stale] = state;
    if (stale !== '') {
      const cut = JSON.parse(stale) as { first: string; claimedAt: number };
      const taken = await INTAKE_RECLAIM.run(redis, [keys.intake(topic), keys.intakeCuts(topic)], [cut.first, cut.claimedAt, this.#owner]);
      if (Array.isArray(taken)) {
        this.#o.logger.warn({ topic, first: cut.first }, 'taking over a cut its batcher did not finish');
        const records = await this.#makeJob(topic, taken as string[]);
        return { decision: { kind: 'cut', records }, cutRecords: records };
      }
    }
    const held = !(await this.#streamingAllowed(topic));
    const oldestAgeMs = oldest === '' ? 0 : Math.max(0, now - Number(oldest.split('-')[0]));
    const decision = decideCut({ uncut, oldestAgeMs, inFlight, held }, this.#o.policy, this.#idleMs);
    if (decision.kind !== 'cut') return { decision, cutRecords: 0 };
    const cut = await INTAKE_CUT.run(
      redis,
      [keys.intake(topic), keys.intakeMeta(topic), keys.intakeCuts(topic)],
      [cursor, decision.records, this.#owner, this.#o.maxRequestBytes],
    );
    if (!Array.isArray(cut)) return { decision: { kind: 'cut', records: 0 }, cutRecords: 0 }; // another batcher was first
    const records = await this.#makeJob(topic, cut as string[]);
    return { decision, cutRecords: records };
  }

  async #streamingAllowed(topic: string): Promise<boolean> {
    if (this.#allowed.has(topic)) return true;
    const allowed = streamingAllowed(await this.#o.guard.state(topic));
    if (allowed) this.#allowed.add(topic);
    return allowed;
  }

  /** Turns a cut ([first, last, record...]) into blob + job, then commits it. */
  async #makeJob(topic: string, cut: readonly string[]): Promise<number> {
    const [first, last, ...records] = cut as [string, string, ...string[]];
    const { redis, keys } = this.#o;
    const json = `[${records.join(',')}]`;
    const requestId = streamingWriteRequestId(this.#o.applicationId, topic, first, last);
    const blobKey = await this.#o.blobs.put(requestId, await gzipAsync(json));
    const data: WriteJobData = {
      v: JOB_DATA_VERSION,
      kind: 'write',
      topic,
      stage: 'incremental_sync_streaming',
      date: null,
      requestId,
      blobKey,
      records: records.length,
      bytes: Buffer.byteLength(json),
      batchId: null,
      enqueuedAt: this.#o.clock.now(),
      intake: { first, last },
    };
    await INTAKE_MARK_IN_FLIGHT.run(redis, [keys.intakeInflight(topic), keys.intakeSettled(topic)], [requestId]);
    await this.#o.enqueuer.addWrites([data]);
    await INTAKE_COMMIT.run(redis, [keys.intakeCuts(topic), keys.intake(topic), keys.intakeMeta(topic)], [first]);
    return records.length;
  }
}
