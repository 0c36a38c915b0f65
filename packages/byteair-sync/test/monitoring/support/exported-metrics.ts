import { parseFleetCounters } from '../../../dashboards/fleet-counters.js';
import { createMetricsRegistry, type MetricsReading } from '../../../dashboards/metrics-registry.js';
import type { BatchStatus } from '../../../src/batches/batch-store.js';
import { STAGES } from '../../../src/byteair/stage.js';
import { topicStatus } from '../../../src/operations/sync-status.js';

/** Written by Prometheus itself for every target, not by byteair-sync, with its target labels. */
export const PROMETHEUS_METRICS: Readonly<Record<string, readonly string[]>> = { up: ['job', 'instance'] };

/**
 * Labels whose every value the registry writes whatever the reading (all circuit, queue and
 * batch states, both queues), so the fixture's values are all the values there are and a
 * matcher on another one can never match.
 */
export const CLOSED_LABELS: readonly string[] = ['state', 'queue'];

/** One reading with a value behind every metric family, so each one has samples to list. */
function fixtureReading(): MetricsReading {
  const counters = parseFleetCounters(
    new Map([
      ['api_requests|write|item|pre_sync|accepted', 3],
      ['api_records|write|item|pre_sync|accepted', 30],
      ['api_requests|write|item|pre_sync|rate_limited', 1],
      ['api_requests|done|item|pre_sync|accepted', 1],
      ['api_latency_bucket|write|100', 3],
      ['api_latency_sum|write', 240],
      ['api_latency_count|write', 3],
      ['rejected_records|item|pre_sync', 1],
      ['guard_holds|item|history_sync', 2],
      ['unexpected_answers|write|item|pre_sync|http_404', 1],
      ['limiter_wait_ms_sum', 120],
      ['limiter_wait_count', 4],
    ]),
  );
  const heldJobs = Object.fromEntries(STAGES.map((stage) => [stage, 0])) as Record<(typeof STAGES)[number], number>;
  // One daily date acknowledged, the next one late: the freshness gauges have samples.
  const doneDaily: BatchStatus = {
    batchId: 'item/incremental_sync_daily/2022-01-01',
    topic: 'item',
    stage: 'incremental_sync_daily',
    date: '2022-01-01',
    state: 'done-acked',
    createdAt: 1,
    sealedAt: 1,
    doneDueAt: 1,
    doneAckedAt: 1,
    chunks: 1,
    records: 10,
    bytes: 100,
    settledChunks: 1,
    acceptedRecords: 10,
    rejectedRecords: 0,
    duplicateChunks: 0,
    failedChunks: [],
  };
  const topic = topicStatus(
    {
      topic: 'item',
      mode: 'daily-then-streaming',
      stageOrder: true,
      firstDailyDone: { date: '2022-01-01', at: 1 },
      streamingStartedAt: 1,
      openBatches: { pre_sync: 0, history_sync: 0, incremental_sync_daily: 0 },
    },
    [doneDaily],
    { pushed: 2, waiting: 2, oldestWaitingMs: 1500, chunksInFlight: 0, accepted: 0 },
    heldJobs,
    { now: Date.parse('2022-01-03T07:00:00Z'), zone: 'UTC', doneBy: { hour: 6, minute: 0 } },
  );
  const queue = { waiting: 1, active: 0, delayed: 0, completed: 3, failed: 0, paused: false };
  return {
    counters,
    status: {
      at: 0,
      topics: [topic],
      batches: [doneDaily],
      limiter: {
        requestsInWindow: 1,
        recordsInWindow: 10,
        maxRequestsPerSecond: 100,
        maxRecordsPerSecond: 50_000,
        effectiveRequestsPerSecond: 100,
        effectiveRecordsPerSecond: 50_000,
        ceilingFactor: 1,
        pausedUntil: 0,
        at: 0,
        marginMs: 30,
        pathSpreadMs: 0,
      },
      circuit: { state: 'closed', consecutiveFailures: 0, reopensAt: 0, cooldownMs: 0, openedAt: 0 },
      queues: { upload: queue, done: queue },
      redisMemory: { usedBytes: 2_000_000, maxBytes: 1_000_000_000 },
    },
    dateZone: 'UTC',
  };
}

/**
 * The sample names /metrics exposes, from the registry itself (its `# TYPE` lines, so a family
 * counts even if a reading left it empty): counters and gauges by their name, histograms by
 * their `_bucket`, `_sum` and `_count` series (PromQL never sees the bare histogram name).
 */
export async function exportedMetricNames(): Promise<ReadonlySet<string>> {
  const reading = fixtureReading();
  const text = await createMetricsRegistry(() => Promise.resolve(reading)).metrics();
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = match;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    else names.add(name);
  }
  return names;
}

/** Per sample name in the fixture's exposition, its labels and the values they take. */
export async function sampledLabels(): Promise<ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>> {
  const reading = fixtureReading();
  const text = await createMetricsRegistry(() => Promise.resolve(reading)).metrics();
  const samples = new Map<string, Map<string, Set<string>>>();
  for (const match of text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? /gm)) {
    const labels = samples.get(match[1] ?? '') ?? new Map<string, Set<string>>();
    samples.set(match[1] ?? '', labels);
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      const values = labels.get(pair[1] ?? '') ?? new Set<string>();
      labels.set(pair[1] ?? '', values);
      values.add(pair[2] ?? '');
    }
  }
  return samples;
}
