import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import type { Logger } from './logger.js';
import type { SyncMetrics } from './sync-metrics.js';

/** Upper bounds (ms) of the request latency histogram buckets. */
export const LATENCY_BUCKETS_MS = [25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000] as const;

/**
 * Counters every worker process adds to one Redis hash, so the dashboard's /metrics shows
 * the whole fleet, however many processes and machines run. Fields are `name|label|label…`.
 * Writes are fire-and-forget: a metrics hiccup never fails an upload.
 */
export class RedisSyncMetrics implements SyncMetrics {
  readonly #redis: RedisClient;
  readonly #key: string;
  readonly #logger: Logger;

  constructor(redis: RedisClient, keys: Keyspace, logger: Logger) {
    this.#redis = redis;
    this.#key = keys.metrics;
    this.#logger = logger;
  }

  apiCall(labels: { kind: 'write' | 'done'; topic: string; stage: string; outcome: string }, records: number, latencyMs: number): void {
    const id = `${labels.kind}|${labels.topic}|${labels.stage}`;
    const fields: Array<[string, number]> = [
      [`api_requests|${id}|${labels.outcome}`, 1],
      [`api_records|${id}|${labels.outcome}`, records],
    ];
    if (latencyMs > 0) {
      const bucket = LATENCY_BUCKETS_MS.find((le) => latencyMs <= le);
      fields.push(
        [`api_latency_bucket|${labels.kind}|${bucket ?? 'inf'}`, 1],
        [`api_latency_sum|${labels.kind}`, latencyMs],
        [`api_latency_count|${labels.kind}`, 1],
      );
    }
    this.#add(fields);
  }

  rejectedRecords(topic: string, stage: string, count: number): void {
    this.#add([[`rejected_records|${topic}|${stage}`, count]]);
  }

  limiterWait(ms: number): void {
    this.#add([
      ['limiter_wait_ms_sum', ms],
      ['limiter_wait_count', 1],
    ]);
  }

  guardHold(topic: string, stage: string): void {
    this.#add([[`guard_holds|${topic}|${stage}`, 1]]);
  }

  unexpectedAnswer(labels: { kind: 'write' | 'done'; topic: string; stage: string; answer: string }): void {
    this.#add([[`unexpected_answers|${labels.kind}|${labels.topic}|${labels.stage}|${labels.answer}`, 1]]);
  }

  #add(fields: ReadonlyArray<readonly [string, number]>): void {
    const pipeline = this.#redis.pipeline();
    for (const [field, by] of fields) pipeline.hincrby(this.#key, field, Math.round(by));
    pipeline.exec().catch((error: unknown) => this.#logger.warn({ err: error }, 'could not record metrics'));
  }
}

/** Reads the fleet-wide counters back (the dashboard's /metrics and status). */
export async function readSyncMetrics(redis: RedisClient, keys: Keyspace): Promise<Map<string, number>> {
  const all = await redis.hgetall(keys.metrics);
  return new Map(Object.entries(all).map(([field, value]) => [field, Number(value)]));
}
