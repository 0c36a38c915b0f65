import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../src/clock.js';
import type { Config } from '../src/config/config.js';
import { readSyncMetrics } from '../src/observability/redis-sync-metrics.js';
import { silentLogger, type Logger } from '../src/observability/logger.js';
import { operationsOn } from '../src/operations/open-operations.js';
import type { RedisClient } from '../src/redis/connection.js';
import { credentialsOf } from './credentials.js';
import { createDashboardApp } from './dashboard-app.js';
import { parseFleetCounters } from './fleet-counters.js';
import { startLimiterHistory } from './limiter-history.js';
import { assertListenAllowed } from './listen-policy.js';
import { trustedProxyList } from './client-address.js';
import { LoginThrottle } from './login-throttle.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { watchRedis } from '../src/redis/redis-watch.js';
import { SessionTokens } from './session-tokens.js';
import { USER_NAME_THROTTLE_POLICY, UserNameThrottle } from './user-name-throttle.js';
import { closeServer, createLimitedServer, listen, urlOf } from '../src/http/server-lifecycle.js';
import { Releasers } from '../src/wiring/releasers.js';
import { openSyncGraph, PRODUCER_CONNECTION } from '../src/wiring/sync-graph.js';

export interface DashboardOptions {
  readonly config: Config;
  /** Default config.dashboard.host / port. */
  readonly host?: string;
  readonly port?: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** A Redis connection to share; by default the dashboard opens (and closes) its own. */
  readonly redis?: RedisClient;
  /** How often the limiter is sampled for the chart (default 1 s). */
  readonly sampleIntervalMs?: number;
}

export interface RunningDashboard {
  /** `http://host:port` as bound (port 0 resolved). */
  readonly url: string;
  close(): Promise<void>;
}

/** Sessions last a working day; a restart ends them all (the signing key is per process). */
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const CHART_SPAN_MS = 10 * 60 * 1000;

/**
 * The dashboard process (`byteair-sync dashboard`): Bull Board behind a login, the sync status
 * page and /metrics. Refuses, before touching Redis, to serve a non-loopback address without
 * BYTEAIR_DASHBOARD_USER / BYTEAIR_DASHBOARD_PASSWORD.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const { config } = options;
  const host = options.host ?? config.dashboard.host;
  const port = options.port ?? config.dashboard.port;
  const credentials = credentialsOf(config);
  assertListenAllowed(host, credentials !== undefined);
  const logger = options.logger ?? silentLogger();
  const clock = options.clock ?? systemClock;
  const intervalMs = options.sampleIntervalMs ?? 1000;

  const releasers = new Releasers();
  const graph = openSyncGraph(config, PRODUCER_CONNECTION, { redis: options.redis, clock, logger });
  releasers.add(async () => await graph.close());
  const watch = watchRedis(graph.redis, [graph.queues.upload, graph.queues.done], logger, 'the dashboard answers 503');
  releasers.add(() => watch.stop());
  const operations = operationsOn(graph);
  // The chart samples the limiter the status page reads, not a second copy of it.
  const history = startLimiterHistory({ read: async () => await graph.limiter.usage(), intervalMs, capacity: Math.ceil(CHART_SPAN_MS / intervalMs), logger });
  releasers.add(async () => await history.stop());
  const metrics = createMetricsRegistry(async () => {
    const [fields, status] = await Promise.all([readSyncMetrics(graph.redis, graph.keys), operations.status()]);
    return { counters: parseFleetCounters(fields), status, dateZone: config.dateZone };
  });
  const app = createDashboardApp({
    operations,
    queues: graph.queues,
    readOnly: config.dashboard.readOnly,
    auth: {
      credentials,
      tokens: new SessionTokens({ ttlMs: SESSION_TTL_MS, clock }),
      sessionTtlMs: SESSION_TTL_MS,
      throttles: {
        address: new LoginThrottle({ maxFailures: 5, windowMs: 60_000, clock }),
        userName: new UserNameThrottle({ ...USER_NAME_THROTTLE_POLICY, clock }),
      },
      trustedProxies: trustedProxyList(config.dashboard.trustedProxies),
      logger,
    },
    limiterSamples: () => history.samples(),
    metrics,
    redisReady: () => watch.ready,
    statusPage: { maxBatchRows: 200, chartSpanMs: CHART_SPAN_MS, chartGapMs: intervalMs * 3, refreshSeconds: 5 },
    logger,
  });

  const server = createLimitedServer(app, config.http, logger);
  try {
    await listen(server, port, host);
  } catch (error) {
    await releasers.release();
    throw error;
  }
  releasers.add(async () => await closeServer(server, config.worker.shutdownTimeoutMs));
  const url = urlOf(server.address() as AddressInfo);
  if (credentials === undefined)
    logger.warn({ url }, 'dashboard listening on loopback WITHOUT a login (set BYTEAIR_DASHBOARD_USER and BYTEAIR_DASHBOARD_PASSWORD to require one)');
  else logger.info({ url, readOnly: config.dashboard.readOnly }, 'dashboard listening');
  return { url, close: async () => await releasers.release() };
}
