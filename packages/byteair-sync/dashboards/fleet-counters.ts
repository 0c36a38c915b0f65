import { LATENCY_BUCKETS_MS } from '../src/observability/redis-sync-metrics.js';

/**
 * The fleet-wide counters of src/observability/redis-sync-metrics.ts, parsed from their Redis
 * hash fields (`name|label|label…`) into typed rows. Fields of an unknown shape are ignored,
 * so an older or newer worker writing other fields cannot break /metrics.
 */
export interface ApiCallRow {
  readonly kind: string;
  readonly topic: string;
  readonly stage: string;
  readonly outcome: string;
  readonly requests: number;
  readonly records: number;
}

export interface LatencyCounts {
  /** Per upper bound (ms, or 'inf'): calls whose latency fell in that bucket (not cumulative). */
  readonly buckets: ReadonlyMap<number | 'inf', number>;
  readonly sumMs: number;
  readonly count: number;
}

export interface FleetCounters {
  readonly apiCalls: readonly ApiCallRow[];
  readonly latency: ReadonlyMap<string, LatencyCounts>;
  readonly rejected: ReadonlyArray<{ readonly topic: string; readonly stage: string; readonly records: number }>;
  readonly guardHolds: ReadonlyArray<{ readonly topic: string; readonly stage: string; readonly holds: number }>;
  readonly unexpectedAnswers: ReadonlyArray<{
    readonly kind: string;
    readonly topic: string;
    readonly stage: string;
    readonly answer: string;
    readonly count: number;
  }>;
  readonly limiterWaitMsSum: number;
  readonly limiterWaitCount: number;
}

interface MutableLatency {
  buckets: Map<number | 'inf', number>;
  sumMs: number;
  count: number;
}

function bucketOf(text: string): number | 'inf' | undefined {
  if (text === 'inf') return 'inf';
  const le = Number(text);
  return (LATENCY_BUCKETS_MS as readonly number[]).includes(le) ? le : undefined;
}

export function parseFleetCounters(fields: ReadonlyMap<string, number>): FleetCounters {
  const calls = new Map<string, { kind: string; topic: string; stage: string; outcome: string; requests: number; records: number }>();
  const latency = new Map<string, MutableLatency>();
  const rejected: Array<{ topic: string; stage: string; records: number }> = [];
  const guardHolds: Array<{ topic: string; stage: string; holds: number }> = [];
  const unexpectedAnswers: Array<{ kind: string; topic: string; stage: string; answer: string; count: number }> = [];
  let limiterWaitMsSum = 0;
  let limiterWaitCount = 0;
  const latencyOf = (kind: string): MutableLatency => {
    let entry = latency.get(kind);
    if (entry === undefined) {
      entry = { buckets: new Map(), sumMs: 0, count: 0 };
      latency.set(kind, entry);
    }
    return entry;
  };

  for (const [field, raw] of fields) {
    const value = Number.isFinite(raw) ? raw : 0;
    const [name, ...labels] = field.split('|');
    if ((name === 'api_requests' || name === 'api_records') && labels.length === 4) {
      const [kind = '', topic = '', stage = '', outcome = ''] = labels;
      const key = labels.join('|');
      const row = calls.get(key) ?? { kind, topic, stage, outcome, requests: 0, records: 0 };
      if (name === 'api_requests') row.requests += value;
      else row.records += value;
      calls.set(key, row);
    } else if (name === 'api_latency_bucket' && labels.length === 2) {
      const le = bucketOf(labels[1] ?? '');
      if (le === undefined) continue;
      const buckets = latencyOf(labels[0] ?? '').buckets;
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    } else if (name === 'api_latency_sum' && labels.length === 1) {
      latencyOf(labels[0] ?? '').sumMs += value;
    } else if (name === 'api_latency_count' && labels.length === 1) {
      latencyOf(labels[0] ?? '').count += value;
    } else if (name === 'rejected_records' && labels.length === 2) {
      rejected.push({ topic: labels[0] ?? '', stage: labels[1] ?? '', records: value });
    } else if (name === 'guard_holds' && labels.length === 2) {
      guardHolds.push({ topic: labels[0] ?? '', stage: labels[1] ?? '', holds: value });
    } else if (name === 'unexpected_answers' && labels.length === 4) {
      const [kind = '', topic = '', stage = '', answer = ''] = labels;
      unexpectedAnswers.push({ kind, topic, stage, answer, count: value });
    } else if (name === 'limiter_wait_ms_sum' && labels.length === 0) {
      limiterWaitMsSum = value;
    } else if (name === 'limiter_wait_count' && labels.length === 0) {
      limiterWaitCount = value;
    }
  }
  return { apiCalls: [...calls.values()], latency, rejected, guardHolds, unexpectedAnswers, limiterWaitMsSum, limiterWaitCount };
}
