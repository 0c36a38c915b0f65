import type { Clock } from './clock.js';
import type { Config } from './config/config.js';
import { loadConfig } from './config/load-config.js';
import type { BatchStatus } from './batches/batch-store.js';
import type { Logger } from './observability/logger.js';
import { openOperations, type OperationsHandle } from './operations/open-operations.js';
import type { FailedJobView, ReplayFilter } from './operations/replay-filter.js';
import type { RejectedRow } from './operations/sync-operations.js';
import type { SyncStatus } from './operations/sync-status.js';
import type { OfflineBatch } from './producer/offline-batch.js';
import type { RedisClient } from './redis/connection.js';
import type { PushResult } from './streaming/stream-intake.js';
import { parseTopic } from './validation/sync-target.js';

export interface SyncClientOptions {
  /** Default: loadConfig(process.env), i.e. the settings of the README table. */
  readonly config?: Config;
  /** A connection to share; by default the client opens its own and closes it in close(). */
  readonly redis?: RedisClient;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface PushOptions {
  /**
   * Pass the same key when retrying a push whose answer was lost (a timeout, a dropped
   * connection): its records are then stored once, however often it is retried. The key is
   * bound to those records: reused with others, the push is refused (IDEMPOTENCY_KEY_REUSED).
   */
  readonly idempotencyKey?: string;
}

/** One topic's real-time data (`incremental_sync_streaming`). */
export interface TopicStream {
  readonly topic: string;
  /** Resolves once every record is durable in Redis; nothing is stored if one record is invalid. */
  push(records: Readonly<Record<string, unknown>> | ReadonlyArray<Readonly<Record<string, unknown>>>, options?: PushOptions): Promise<PushResult>;
}

/**
 * What a backend application uses to hand data to byteair-sync (the producer side of the
 * pipeline; workers upload it). One instance per process; close() it on shutdown.
 *
 *   const sync = openSyncClient();
 *   const batch = await sync.batch('item', 'history_sync', '2024-03-01');
 *   await batch.add(records);            // arrays or async iterables, any size
 *   await batch.seal();                  // Done goes out once every chunk is uploaded
 *   await sync.stream('behavior').push({ bhv_id: 'b1', ... });
 *   await sync.close();
 *
 * Every bad input is refused with a typed error (`code`, and the field and value in the
 * message) before anything is stored.
 */
export class SyncClient {
  readonly #handle: OperationsHandle;
  readonly #config: Config;

  constructor(handle: OperationsHandle, config: Config) {
    this.#handle = handle;
    this.#config = config;
  }

  /** The offline batch of (topic, stage, date), opened on first use; the same batch on every call. */
  async batch(topic: string, stage: string, date: string): Promise<OfflineBatch> {
    return await this.#handle.producer.batch(topic, stage, date);
  }

  /** The streaming intake of a topic; an unknown topic is refused here, not at the first push. */
  stream(topic: string): TopicStream {
    const known = parseTopic(topic, this.#config.topics).name;
    const intake = this.#handle.intake;
    return {
      topic: known,
      push: async (records, options = {}) => await intake.push(known, records, 'records', options),
    };
  }

  /** Per topic: mode, stage progress, held streaming backlog; queues, limiter use, circuit. */
  async status(): Promise<SyncStatus> {
    return await this.#handle.operations.status();
  }

  /** Every batch with its progress, newest first (at most `limit`). */
  async batches(limit?: number): Promise<BatchStatus[]> {
    return await this.#handle.producer.batches(limit);
  }

  /** Records the API refused (1001), with the server's reason. */
  rejected(filter: { topic?: string; stage?: string; date?: string } = {}): AsyncGenerator<RejectedRow> {
    return this.#handle.operations.rejectedRecords(filter);
  }

  /** Failed jobs back to waiting with their attempts reset (same Request-Ids); `dryRun` lists them. */
  async replay(filter: ReplayFilter = {}, options: { dryRun?: boolean } = {}): Promise<FailedJobView[]> {
    return await this.#handle.operations.replay(filter, { dryRun: options.dryRun === true });
  }

  async pause(): Promise<void> {
    await this.#handle.operations.pause();
  }

  async resume(): Promise<void> {
    await this.#handle.operations.resume();
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/** Opens a client on the configured Redis (validating the config first: a bad setting throws ConfigError). */
export function openSyncClient(options: SyncClientOptions = {}): SyncClient {
  const config = options.config ?? loadConfig(process.env);
  const handle = openOperations(config, { redis: options.redis, clock: options.clock, logger: options.logger });
  return new SyncClient(handle, config);
}
