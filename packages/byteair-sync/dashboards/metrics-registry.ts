import { DateTime } from 'luxon';
import { Counter, Gauge, Registry } from 'prom-client';
import type { SyncStatus } from '../src/operations/sync-status.js';
import type { FleetCounters } from './fleet-counters.js';
import { CountedLatencyHistogram } from './latency-histogram.js';

/** What one scrape reads: the fleet-wide counters from Redis and the current sync status. */
export interface MetricsReading {
  readonly counters: FleetCounters;
  readonly status: SyncStatus;
  /** BYTEAIR_DATE_ZONE: a data date's midnight is taken there. */
  readonly dateZone: string;
}

/**
 * Every collect() of one scrape shares one reading: prom-client calls them all in the same
 * tick, so the first starts the read and the others join it; the next scrape reads afresh.
 */
function sharedReader(read: () => Promise<MetricsReading>): () => Promise<MetricsReading> {
  let pending: Promise<MetricsReading> | undefined;
  return () => {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
const BATCH_STATES = ['open', 'sealed', 'done-due', 'done-acked'] as const;

/**
 * The /metrics registry. Nothing is counted in this process: at scrape time the collect()
 * callbacks read the counters every worker adds to Redis, and the sync status, so the numbers
 * are the whole fleet's however many workers run and however often the dashboard restarts.
 */
export function createMetricsRegistry(read: () => Promise<MetricsReading>): Registry {
  const registry = new Registry();
  const reading = sharedReader(read);
  const registers = [registry];

  const counter = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (r: MetricsReading, set: (labels: Partial<Record<L, string>>, value: number) => void) => void,
  ): void => {
    new Counter<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const r = await reading();
        this.reset();
        fill(r, (labels, value) => this.inc(labels, value));
      },
    });
  };
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (r: MetricsReading, set: (labels: Partial<Record<L, string>>, value: number) => void) => void,
  ): void => {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const r = await reading();
        this.reset();
        fill(r, (labels, value) => this.set(labels, value));
      },
    });
  };

  counter(
    'byteair_api_requests_total',
    'ByteAir API calls (WriteData and Done) by outcome, all workers together.',
    ['kind', 'topic', 'stage', 'outcome'],
    (r, set) => {
      for (const c of r.counters.apiCalls) set({ kind: c.kind, topic: c.topic, stage: c.stage, outcome: c.outcome }, c.requests);
    },
  );
  counter('byteair_records_total', 'Records sent in WriteData calls, by the outcome of their call.', ['topic', 'stage', 'outcome'], (r, set) => {
    for (const c of r.counters.apiCalls) if (c.kind === 'write') set({ topic: c.topic, stage: c.stage, outcome: c.outcome }, c.records);
  });
  counter('byteair_rate_limited_total', 'Calls the API answered 429 (each slows every worker).', ['kind', 'topic', 'stage'], (r, set) => {
    for (const c of r.counters.apiCalls) if (c.outcome === 'rate_limited') set({ kind: c.kind, topic: c.topic, stage: c.stage }, c.requests);
  });
  counter('byteair_done_calls_total', 'Done calls by outcome.', ['topic', 'stage', 'outcome'], (r, set) => {
    for (const c of r.counters.apiCalls) if (c.kind === 'done') set({ topic: c.topic, stage: c.stage, outcome: c.outcome }, c.requests);
  });
  counter('byteair_rejected_records_total', 'Records the API refused one by one (status 1001); kept with their reasons.', ['topic', 'stage'], (r, set) => {
    for (const row of r.counters.rejected) set({ topic: row.topic, stage: row.stage }, row.records);
  });
  counter('byteair_limiter_wait_seconds_total', 'Time uploads spent waiting for the global rate limiter.', [], (r, set) =>
    set({}, r.counters.limiterWaitMsSum / 1000),
  );
  counter('byteair_limiter_waits_total', 'Limiter grants (one per API call); with the wait total, the mean wait.', [], (r, set) =>
    set({}, r.counters.limiterWaitCount),
  );
  counter(
    'byteair_guard_holds_total',
    'Upload jobs the stage guard held back (stage order, streaming before the first daily Done).',
    ['topic', 'stage'],
    (r, set) => {
      for (const row of r.counters.guardHolds) set({ topic: row.topic, stage: row.stage }, row.holds);
    },
  );
  counter(
    'byteair_unexpected_answers_total',
    'Answers the protocol does not define (a gateway 404/413, an empty or undecodable body, an unknown status code): each spends an attempt, and the job fails after its attempts.',
    ['kind', 'topic', 'stage', 'answer'],
    (r, set) => {
      for (const row of r.counters.unexpectedAnswers) set({ kind: row.kind, topic: row.topic, stage: row.stage, answer: row.answer }, row.count);
    },
  );
  registry.registerMetric(
    new CountedLatencyHistogram({
      name: 'byteair_api_request_duration_seconds',
      help: 'Latency of answered ByteAir API calls (calls that failed in transport are not timed).',
      read: async () => (await reading()).counters.latency,
    }),
  );

  gauge('byteair_queue_jobs', 'Jobs in each BullMQ queue by state (waiting includes prioritized).', ['queue', 'state'], (r, set) => {
    for (const [queue, counts] of Object.entries(r.status.queues)) for (const state of QUEUE_STATES) set({ queue, state }, counts[state]);
  });
  gauge('byteair_queue_paused', '1 while the queue is paused (by an operator or the circuit breaker).', ['queue'], (r, set) => {
    for (const [queue, counts] of Object.entries(r.status.queues)) set({ queue }, counts.paused ? 1 : 0);
  });
  gauge('byteair_circuit_state', 'Circuit breaker state: 1 for the current state, 0 for the others.', ['state'], (r, set) => {
    for (const state of CIRCUIT_STATES) set({ state }, r.status.circuit.state === state ? 1 : 0);
  });
  gauge('byteair_circuit_consecutive_failures', 'Consecutive upstream-unavailable outcomes counted by the circuit breaker.', [], (r, set) =>
    set({}, r.status.circuit.consecutiveFailures),
  );
  gauge('byteair_limiter_window_requests', 'Requests booked in the sliding second ending now (all processes).', [], (r, set) =>
    set({}, r.status.limiter.requestsInWindow),
  );
  gauge('byteair_limiter_window_records', 'Records booked in the sliding second ending now (all processes).', [], (r, set) =>
    set({}, r.status.limiter.recordsInWindow),
  );
  gauge('byteair_limiter_ceiling_ratio', 'Share of the configured ceilings in force (1 = full speed; lowered after 429s).', [], (r, set) =>
    set({}, r.status.limiter.ceilingFactor),
  );
  gauge(
    'byteair_limiter_margin_ms',
    'Margin in use: ms added to the 1-second window, the widest over the workers, each reading the answer times all of them pool per host: half the path spread carried out to the p99.9 of the way in (path-spread.ts) (within BYTEAIR_LIMITER_MARGIN_MS and its cap).',
    [],
    (r, set) => set({}, r.status.limiter.marginMs),
  );
  gauge('byteair_limiter_path_spread_ms', 'Spread (p99 - p1, ms) of answer times behind the margin in use; 0 before any measurement.', [], (r, set) =>
    set({}, r.status.limiter.pathSpreadMs),
  );
  gauge('byteair_limiter_effective_requests_per_second', 'Requests/s ceiling in force now.', [], (r, set) =>
    set({}, r.status.limiter.effectiveRequestsPerSecond),
  );
  gauge('byteair_limiter_effective_records_per_second', 'Records/s ceiling in force now.', [], (r, set) => set({}, r.status.limiter.effectiveRecordsPerSecond));
  gauge(
    'byteair_streaming_backlog_records',
    'Streaming records waiting in the intake (the held backlog while the guard holds the topic).',
    ['topic'],
    (r, set) => {
      for (const t of r.status.topics) set({ topic: t.topic }, t.streaming.waiting);
    },
  );
  gauge('byteair_streaming_backlog_age_seconds', 'Age of the oldest waiting streaming record (0 when none).', ['topic'], (r, set) => {
    for (const t of r.status.topics) set({ topic: t.topic }, t.streaming.oldestWaitingMs / 1000);
  });
  gauge('byteair_streaming_chunks_in_flight', 'Streaming chunks cut and not yet accepted.', ['topic'], (r, set) => {
    for (const t of r.status.topics) set({ topic: t.topic }, t.streaming.chunksInFlight);
  });
  gauge('byteair_streaming_allowed', '1 once the topic may stream (first daily Done acknowledged, or streaming-only).', ['topic'], (r, set) => {
    for (const t of r.status.topics) set({ topic: t.topic }, t.streamingAllowed ? 1 : 0);
  });
  gauge('byteair_held_jobs', 'Upload jobs parked by the stage guard now.', ['topic', 'stage'], (r, set) => {
    for (const t of r.status.topics) for (const [stage, n] of Object.entries(t.heldJobs)) set({ topic: t.topic, stage }, n);
  });
  gauge('byteair_batches', 'Offline batches by state.', ['topic', 'stage', 'state'], (r, set) => {
    const counts = new Map<string, number>();
    for (const b of r.status.batches) counts.set(`${b.topic}|${b.stage}|${b.state}`, (counts.get(`${b.topic}|${b.stage}|${b.state}`) ?? 0) + 1);
    for (const t of r.status.topics) {
      for (const stage of Object.keys(t.stages))
        for (const state of BATCH_STATES) set({ topic: t.topic, stage, state }, counts.get(`${t.topic}|${stage}|${state}`) ?? 0);
    }
  });
  gauge('byteair_batch_failed_chunks', 'Chunks failed for good (replay them), over all batches.', ['topic', 'stage'], (r, set) => {
    for (const t of r.status.topics) for (const [stage, p] of Object.entries(t.stages)) set({ topic: t.topic, stage }, p.failedChunks);
  });
  gauge(
    'byteair_daily_done_lag_seconds',
    'Seconds since the oldest daily date not acknowledged by its deadline (BYTEAIR_DAILY_DONE_BY) was due; 0 while on time or before the first daily Done. Topics without a deadline are not listed.',
    ['topic', 'stage'],
    (r, set) => {
      for (const t of r.status.topics)
        if (t.dailyFreshness.state !== 'off') set({ topic: t.topic, stage: 'incremental_sync_daily' }, t.dailyFreshness.lagSeconds);
    },
  );
  gauge('byteair_daily_missing_dates', 'Daily dates past their deadline without an acknowledged Done.', ['topic', 'stage'], (r, set) => {
    for (const t of r.status.topics)
      if (t.dailyFreshness.state !== 'off') set({ topic: t.topic, stage: 'incremental_sync_daily' }, t.dailyFreshness.missingCount);
  });
  gauge(
    'byteair_daily_last_done_date_timestamp_seconds',
    'Start (midnight in BYTEAIR_DATE_ZONE, Unix seconds) of the newest date whose Done is acknowledged, per offline stage; absent before the first.',
    ['topic', 'stage'],
    (r, set) => {
      for (const t of r.status.topics) {
        for (const [stage, p] of Object.entries(t.stages))
          if (p.lastDoneDate !== null) set({ topic: t.topic, stage }, DateTime.fromISO(p.lastDoneDate, { zone: r.dateZone }).toSeconds());
      }
    },
  );
  gauge('byteair_redis_used_memory_bytes', 'Memory used by the Redis holding the queues (the node owning our slot on a Cluster).', [], (r, set) =>
    set({}, r.status.redisMemory.usedBytes),
  );
  gauge('byteair_redis_maxmemory_bytes', "That Redis's maxmemory; 0 = no limit set. With noeviction, writes fail once used memory reaches it.", [], (r, set) =>
    set({}, r.status.redisMemory.maxBytes),
  );
  return registry;
}
