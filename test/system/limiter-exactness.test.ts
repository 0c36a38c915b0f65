import { Keyspace } from 'byteair-sync/internal/src/redis/keyspace.js';
import { RedisRateLimiter } from 'byteair-sync/internal/src/limiter/sliding-window-limiter.js';
import { LIMITER_DEFAULTS, windowMs } from 'byteair-sync/internal/src/limiter/limiter-options.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { runLimiterChildren } from '../../packages/byteair-sync/test/limiter/child-processes.js';
import type { ChildParams } from '../../packages/byteair-sync/test/limiter/fixtures/limiter-child.js';
import { sizeSampler } from '../../packages/byteair-sync/test/limiter/fixtures/size-mix.js';
import { redisNow, runLoad } from '../../packages/byteair-sync/test/limiter/limiter-harness.js';
import { peakLoad, utilization, type RecordedBooking } from '../../packages/byteair-sync/test/limiter/window-audit.js';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis('limx');
});
afterAll(async () => {
  await redis.stop();
});

const DEFAULTS = {
  maxRequestsPerSecond: LIMITER_DEFAULTS.maxRequestsPerSecond,
  maxRecordsPerSecond: LIMITER_DEFAULTS.maxRecordsPerSecond,
  marginMs: LIMITER_DEFAULTS.marginMs,
  marginCapMs: LIMITER_DEFAULTS.marginMs,
} as const;
const W = windowMs(DEFAULTS);
/** The API's own window: a send confirmed within the late tolerance stays inside it. */
const SERVER_WINDOW = 1000;

function report(
  label: string,
  bookings: readonly RecordedBooking[],
  sent: readonly RecordedBooking[],
): { peak: ReturnType<typeof peakLoad>; sentPeak: ReturnType<typeof peakLoad>; requests: number; records: number } {
  const peak = peakLoad(bookings, W);
  const sentPeak = peakLoad(sent, SERVER_WINDOW);
  const requests = utilization(bookings, W, DEFAULTS.maxRequestsPerSecond, () => 1);
  const records = utilization(bookings, W, DEFAULTS.maxRecordsPerSecond, (b) => b.records);
  process.stdout.write(
    `${label}: ${bookings.length} bookings; peak per ${W} ms window ${peak.requests} req / ${peak.records} rec; ` +
      `peak per ${SERVER_WINDOW} ms of confirmed sends ${sentPeak.requests} / ${sentPeak.records}; ` +
      `utilization requests ${requests.toFixed(3)} records ${records.toFixed(3)}\n`,
  );
  return { peak, sentPeak, requests, records };
}

test('in process: 8 acquirers of mostly small chunks never exceed either ceiling and keep the request ceiling full', async () => {
  const client = redis.client();
  const limiter = new RedisRateLimiter({ redis: client, keys: new Keyspace(`${redis.prefix}-in`), options: DEFAULTS });
  const endAt = (await redisNow(client)) + 4_000;
  const size = sizeSampler('requests-bound', 7);
  const run = runLoad(limiter, { loops: 8, priority: 'history', size, until: (g) => g.startAt >= endAt });
  await run.done;
  const sent = run.grants.map((g) => ({ start: g.confirmedAt, records: g.records }));
  const figures = report('in-process', run.grants, sent);
  expect(figures.peak.requests).toBeLessThanOrEqual(DEFAULTS.maxRequestsPerSecond);
  expect(figures.peak.records).toBeLessThanOrEqual(DEFAULTS.maxRecordsPerSecond);
  expect(figures.sentPeak.requests).toBeLessThanOrEqual(DEFAULTS.maxRequestsPerSecond);
  expect(figures.sentPeak.records).toBeLessThanOrEqual(DEFAULTS.maxRecordsPerSecond);
  expect(figures.requests).toBeGreaterThanOrEqual(0.9);
  for (const g of run.grants) expect(g.confirmedAt - g.startAt).toBeLessThanOrEqual(limiter.options.lateToleranceMs);
});

test('3 processes and this one, 1..10 000-record chunks: exact in every window, records ceiling kept full, fair shares', async () => {
  const client = redis.client();
  const prefix = `${redis.prefix}-mp`;
  const params: ChildParams[] = [1, 2, 3].map((seed) => ({
    url: redis.url,
    prefix,
    options: DEFAULTS,
    loops: 4,
    priority: 'history',
    mix: 'records-bound',
    seed,
  }));
  const limiter = new RedisRateLimiter({ redis: client, keys: new Keyspace(prefix), options: DEFAULTS });
  let local: ReturnType<typeof runLoad> | undefined;
  const reports = await runLimiterChildren(params, async () => {
    const endAt = (await redisNow(client)) + 5_000;
    local = runLoad(limiter, { loops: 4, priority: 'history', size: sizeSampler('records-bound', 4), owner: 'parent', until: (g) => g.startAt >= endAt });
    return endAt;
  });
  if (local === undefined) throw new Error('the parent load did not start');
  await local.done;
  const byOwner = new Map<string, RecordedBooking[]>();
  byOwner.set('parent', local.grants);
  for (const r of reports) byOwner.set(`pid ${r.pid}`, r.grants);
  const all = [...byOwner.values()].flat();
  const sent = [
    ...local.grants.map((g) => ({ start: g.confirmedAt, records: g.records })),
    ...reports.flatMap((r) => r.grants.map((g) => ({ start: g.confirmedAt, records: g.records }))),
  ];
  const figures = report('4 processes', all, sent);
  expect(figures.peak.requests).toBeLessThanOrEqual(DEFAULTS.maxRequestsPerSecond);
  expect(figures.peak.records).toBeLessThanOrEqual(DEFAULTS.maxRecordsPerSecond);
  expect(figures.sentPeak.records).toBeLessThanOrEqual(DEFAULTS.maxRecordsPerSecond);
  expect(figures.records).toBeGreaterThanOrEqual(0.9);
  // Fairness: over the span every process was booking, each got a fair share of the records.
  const from = Math.max(...[...byOwner.values()].map((g) => Math.min(...g.map((b) => b.start))));
  const to = Math.min(...[...byOwner.values()].map((g) => Math.max(...g.map((b) => b.start))));
  const shares = [...byOwner.entries()].map(([owner, grants]) => {
    const inSpan = grants.filter((b) => b.start >= from && b.start <= to);
    return [owner, inSpan.reduce((s, b) => s + b.records, 0), inSpan.length] as const;
  });
  const total = shares.reduce((s, [, n]) => s + n, 0);
  process.stdout.write(`shares of records over [${from}, ${to}]: ${shares.map(([o, n, c]) => `${o} ${(n / total).toFixed(3)} (${c} bookings)`).join(', ')}\n`);
  // Sizes are random up to 10 000, so ~25 bookings each make record shares noisy: fairness is
  // measured in the next test; here no process may be starved.
  for (const [, n, bookings] of shares) {
    expect(bookings).toBeGreaterThanOrEqual(3);
    expect(n / total).toBeLessThan(0.5);
  }
});

test('fairness: 3 processes with the same demand win about a third of the slots each', async () => {
  const client = redis.client();
  const prefix = `${redis.prefix}-fair`;
  const params: ChildParams[] = [10, 11, 12].map((seed) => ({
    url: redis.url,
    prefix,
    options: DEFAULTS,
    loops: 6,
    priority: 'daily',
    mix: 'requests-bound',
    seed,
  }));
  const reports = await runLimiterChildren(params, async () => (await redisNow(client)) + 4_000);
  const all = reports.flatMap((r) => r.grants);
  const from = Math.max(...reports.map((r) => Math.min(...r.grants.map((g) => g.start))));
  const to = Math.min(...reports.map((r) => Math.max(...r.grants.map((g) => g.start))));
  const counts = reports.map((r) => r.grants.filter((g) => g.start >= from && g.start <= to).length);
  const total = counts.reduce((s, n) => s + n, 0);
  const peak = peakLoad(all, W);
  process.stdout.write(
    `fairness: ${all.length} bookings, peak ${peak.requests} req / ${peak.records} rec; slots over [${from}, ${to}] per process: ${counts.join(' / ')}\n`,
  );
  expect(peak.requests).toBeLessThanOrEqual(DEFAULTS.maxRequestsPerSecond);
  expect(peak.records).toBeLessThanOrEqual(DEFAULTS.maxRecordsPerSecond);
  // Alone on the machine the shares come out within ±3 % of a third. Slots go to whoever asks
  // first, so a process the OS runs more often wins more: beside other test files on a 2-core
  // CI box one of three took 199 of 409 (0.487). What the limiter owes is that no process is
  // starved and none takes the majority.
  for (const n of counts) {
    expect(n / total).toBeGreaterThan(0.2);
    expect(n / total).toBeLessThan(0.5);
  }
});
