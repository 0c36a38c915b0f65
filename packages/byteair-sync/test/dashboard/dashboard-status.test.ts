import type { RunningDashboard } from '../../dashboards/dashboard-server.js';
import type { SyncStatus } from '../../src/operations/sync-status.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { eventually } from '../../../../test/support/eventually.js';
import { call, jsonOf, logIn } from './support/dashboard-http.js';
import { DASHBOARD_PASSWORD, DASHBOARD_USER, LOGIN_ENV, startTestDashboard } from './support/test-dashboard.js';
import { startWorkedSystem, type WorkedSystem } from './support/worked-system.js';

let redis: TestRedis;
let system: WorkedSystem;
let dashboard: RunningDashboard;
let cookie: string;

beforeAll(async () => {
  redis = await startTestRedis('dash-status');
  system = await startWorkedSystem(redis);
  dashboard = await startTestDashboard(redis, { ...system.env, ...LOGIN_ENV });
  cookie = await logIn(dashboard.url, DASHBOARD_USER, DASHBOARD_PASSWORD);
});
afterAll(async () => {
  await dashboard.close();
  await system.stop();
  await redis.stop();
});

describe('/api/status', () => {
  test('per topic: stage progress, streaming held or flowing, the held backlog and held jobs; every batch with its state', async () => {
    const status = jsonOf<SyncStatus>(await call(dashboard.url, '/api/status', { cookie }));
    const topic = (name: string) => status.topics.find((t) => t.topic === name);
    expect(topic('item')?.stages.pre_sync).toMatchObject({ batches: 2, doneAcked: 2, records: 30, acceptedRecords: 29, rejectedRecords: 1, failedChunks: 0 });
    expect(topic('user')?.stages.pre_sync).toMatchObject({ batches: 1, open: 1, acceptedRecords: 5 });
    expect(topic('user')?.stages.history_sync).toMatchObject({ batches: 1, sealed: 1, acceptedRecords: 0 });
    expect(topic('user')?.heldJobs.history_sync).toBe(2);
    expect(topic('behavior')).toMatchObject({ streamingAllowed: false, streaming: { pushed: 7, waiting: 7, chunksInFlight: 0 } });
    expect(status.batches.map((b) => [b.batchId, b.state]).sort()).toEqual([
      ['item/pre_sync/2022-01-01', 'done-acked'],
      ['item/pre_sync/2022-01-04', 'done-acked'],
      ['user/history_sync/2022-01-03', 'sealed'],
      ['user/pre_sync/2022-01-02', 'open'],
    ]);
    expect(status.circuit.state).toBe('closed');
    expect(status.queues.upload).toMatchObject({ completed: 5, delayed: 2, failed: 0, paused: false });
  });
});

describe('/status', () => {
  test('the page shows the topics table, the held backlog, the batch table and the limiter chart', async () => {
    // Wait for a few limiter samples (one per 50 ms here), so the chart has lines.
    await eventually(
      async () => (jsonOf<{ samples: unknown[] }>(await call(dashboard.url, '/api/limiter-history', { cookie })).samples.length >= 3 ? true : undefined),
      'limiter samples',
      5_000,
      50,
    );
    const reply = await call(dashboard.url, '/status', { cookie });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/html/);
    const page = reply.text;
    const row = (topic: string): string =>
      /<tr><th scope="row">([^<]+)<\/th>.*?<\/tr>/g.exec(page.slice(page.indexOf(`<th scope="row">${topic}</th>`) - 4))?.[0] ?? '';
    expect(row('item')).toContain('2/2 batches done');
    expect(row('item')).toContain('1 rejected');
    expect(row('user')).toContain('0/1 batches done');
    expect(row('user')).toContain('history_sync: 2');
    expect(row('behavior')).toContain('<span class="pill warn">held</span>');
    expect(row('behavior')).toContain('<td class="num">7</td>');
    expect(page).toContain('<table id="batches">');
    expect(page).toContain('item/pre_sync/2022-01-04</th><td><span class="pill ok">done-acked</span>');
    expect(page).toContain('user/history_sync/2022-01-03</th><td><span class="pill warn">sealed</span>');
    expect(page).toMatch(/<svg viewBox="0 0 900 220" role="img" aria-label="Limiter use over the last 10 minutes">/);
    expect(page).toMatch(/<polyline class="swatch-req" points="[\d.]+,[\d.]+ [\d.]+,[\d.]+/);
    expect(page).toContain('Circuit <b class="ok">closed</b>');
    expect(page).toMatch(/margin \d+ ms \(path spread \d+ ms\)/);
    expect(page).toContain('<meta http-equiv="refresh" content="5">');
  });

  test('/api/limiter-history gives the samples oldest first, in Redis time', async () => {
    const { samples } = jsonOf<{ samples: Array<{ at: number; maxRequestsPerSecond: number }> }>(await call(dashboard.url, '/api/limiter-history', { cookie }));
    const times = samples.map((s) => s.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(samples[0]?.maxRequestsPerSecond).toBe(100);
  });
});

describe('/metrics after real work', () => {
  let text: string;
  beforeAll(async () => {
    const reply = await call(dashboard.url, '/metrics', { cookie });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toContain('text/plain');
    text = reply.text;
  });
  const value = (line: string): number => {
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));
    if (found === undefined) throw new Error(`no sample ${line} in:\n${text}`);
    return Number(found.slice(line.length + 1));
  };

  test('records and requests by topic, stage and outcome (accepted, partial, rate_limited), and Done calls', () => {
    expect(value('byteair_api_requests_total{kind="write",topic="item",stage="pre_sync",outcome="accepted"}')).toBe(3);
    expect(value('byteair_api_requests_total{kind="write",topic="item",stage="pre_sync",outcome="partial"}')).toBe(1);
    expect(value('byteair_records_total{topic="item",stage="pre_sync",outcome="accepted"}')).toBe(25);
    expect(value('byteair_records_total{topic="user",stage="pre_sync",outcome="accepted"}')).toBe(5);
    expect(value('byteair_rate_limited_total{kind="write",topic="item",stage="pre_sync"}')).toBeGreaterThanOrEqual(1);
    expect(value('byteair_rejected_records_total{topic="item",stage="pre_sync"}')).toBe(1);
    expect(value('byteair_done_calls_total{topic="item",stage="pre_sync",outcome="accepted"}')).toBe(2);
  });

  test('the request latency histogram, limiter waits and guard holds', () => {
    expect(text).toContain('# TYPE byteair_api_request_duration_seconds histogram');
    const count = value('byteair_api_request_duration_seconds_count{kind="write"}');
    expect(count).toBeGreaterThanOrEqual(5);
    expect(value('byteair_api_request_duration_seconds_bucket{kind="write",le="+Inf"}')).toBe(count);
    expect(value('byteair_api_request_duration_seconds_bucket{kind="write",le="10"}')).toBe(count);
    expect(value('byteair_api_request_duration_seconds_sum{kind="write"}')).toBeGreaterThan(0);
    expect(value('byteair_limiter_waits_total')).toBeGreaterThanOrEqual(count);
    expect(value('byteair_limiter_wait_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(value('byteair_guard_holds_total{topic="user",stage="history_sync"}')).toBeGreaterThanOrEqual(2);
  });

  test('queue depths, circuit state, limiter, streaming backlog, held jobs and batches', () => {
    expect(value('byteair_queue_jobs{queue="upload",state="completed"}')).toBe(5);
    expect(value('byteair_queue_jobs{queue="upload",state="delayed"}')).toBe(2);
    expect(value('byteair_queue_jobs{queue="done",state="completed"}')).toBe(2);
    expect(value('byteair_queue_paused{queue="upload"}')).toBe(0);
    expect(value('byteair_circuit_state{state="closed"}')).toBe(1);
    expect(value('byteair_circuit_state{state="open"}')).toBe(0);
    expect(value('byteair_circuit_consecutive_failures')).toBe(0);
    expect(value('byteair_limiter_effective_requests_per_second')).toBeGreaterThan(0);
    expect(value('byteair_limiter_ceiling_ratio')).toBeGreaterThan(0);
    expect(text).toMatch(/^byteair_limiter_window_requests \d+$/m);
    expect(text).toMatch(/^byteair_limiter_window_records \d+$/m);
    expect(text).toMatch(/^byteair_limiter_effective_records_per_second \d+/m);
    expect(value('byteair_limiter_margin_ms')).toBeGreaterThanOrEqual(30);
    expect(text).toMatch(/^byteair_limiter_path_spread_ms \d+/m);
    expect(value('byteair_streaming_backlog_records{topic="behavior"}')).toBe(7);
    expect(value('byteair_streaming_backlog_age_seconds{topic="behavior"}')).toBeGreaterThan(0);
    expect(value('byteair_streaming_chunks_in_flight{topic="behavior"}')).toBe(0);
    expect(value('byteair_streaming_allowed{topic="behavior"}')).toBe(0);
    expect(value('byteair_held_jobs{topic="user",stage="history_sync"}')).toBe(2);
    expect(value('byteair_batches{topic="item",stage="pre_sync",state="done-acked"}')).toBe(2);
    expect(value('byteair_batches{topic="user",stage="pre_sync",state="open"}')).toBe(1);
    expect(value('byteair_batch_failed_chunks{topic="item",stage="pre_sync"}')).toBe(0);
  });

  test('every metric has a HELP and TYPE line, and no label value repeats a record', () => {
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]);
    expect(families.length).toBe(new Set(families).size);
    for (const family of families) expect(text).toContain(`# HELP ${family ?? ''} `);
    expect(text).not.toContain('payload-marker');
  });
});
