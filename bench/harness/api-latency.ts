import type { RedisClient } from 'byteair-sync/internal/src/redis/connection.js';
import type { Keyspace } from 'byteair-sync/internal/src/redis/keyspace.js';
import { LATENCY_BUCKETS_MS, readSyncMetrics } from 'byteair-sync/internal/src/observability/redis-sync-metrics.js';

/**
 * Limiter grant → API answer, per write call, from the fleet-wide histogram the workers keep
 * in Redis (the client times the call right after acquire() returned). Percentiles come out
 * as the bucket's upper bound, so they are "at most" figures at the histogram's resolution.
 */
export interface GrantToAnswer {
  readonly calls: number;
  readonly meanMs: number;
  readonly p50AtMostMs: number | 'inf';
  readonly p99AtMostMs: number | 'inf';
}

export async function grantToAnswer(redis: RedisClient, keys: Keyspace): Promise<GrantToAnswer> {
  const metrics = await readSyncMetrics(redis, keys);
  const count = metrics.get('api_latency_count|write') ?? 0;
  const sum = metrics.get('api_latency_sum|write') ?? 0;
  const bucket = (p: number): number | 'inf' => {
    let seen = 0;
    for (const le of LATENCY_BUCKETS_MS) {
      seen += metrics.get(`api_latency_bucket|write|${le}`) ?? 0;
      if (seen >= (p / 100) * count) return le;
    }
    return 'inf';
  };
  return { calls: count, meanMs: count > 0 ? Math.round(sum / count) : Number.NaN, p50AtMostMs: bucket(50), p99AtMostMs: bucket(99) };
}
