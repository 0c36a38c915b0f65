import {
  boolean,
  dailyDoneBy,
  digits,
  hashTag,
  hostPort,
  integer,
  ipOrCidr,
  list,
  nonEmpty,
  oneOf,
  redisUrl,
  timeZone,
  topicName,
  type Parser,
} from './parsers.js';

export interface Setting<T> {
  readonly key: string;
  readonly description: string;
  /** Raw default, in the same syntax as the environment variable; undefined = no default. */
  readonly default: string | undefined;
  readonly secret: boolean;
  readonly parse: Parser<T>;
}

function setting<T>(key: string, parse: Parser<T>, defaultValue: string | undefined, description: string, secret = false): Setting<T> {
  return Object.freeze({ key, parse, default: defaultValue, description, secret });
}

/**
 * Every setting the project reads, with its default. This table is the single source of
 * truth: the loader, the redacted dump and the README configuration table all come from it.
 */
export const SETTINGS = Object.freeze({
  redisUrl: setting(
    'REDIS_URL',
    redisUrl,
    'redis://127.0.0.1:6379',
    'Redis holding queues, blobs, limiter, guard and intake. Tests and the demo start a private one when unset.',
  ),
  redisClusterNodes: setting(
    'REDIS_CLUSTER_NODES',
    list(hostPort, { allowEmpty: true }),
    '',
    'Comma list of host:port seeds; when set, connect to a Redis Cluster instead of REDIS_URL.',
  ),
  redisPrefix: setting('BYTEAIR_REDIS_PREFIX', hashTag, 'byteair', 'Hash tag for every key: keys are `{prefix}:...`, one slot on Redis Cluster.'),
  hosts: setting(
    'BYTEAIR_HOSTS',
    list(hostPort, { allowEmpty: false }),
    'api.byteair.volces.com',
    'ByteAir API hosts (host[:port], comma list); one is picked at random, the next on a connection failure.',
  ),
  scheme: setting('BYTEAIR_SCHEME', oneOf(['https', 'http'] as const), 'https', 'http or https.'),
  tenantId: setting('BYTEAIR_TENANT_ID', digits, undefined, 'Account (tenant) id, sent as the Tenant-Id header.'),
  applicationId: setting('BYTEAIR_APPLICATION_ID', digits, undefined, 'Application id ("应用 id"), part of the URL path.'),
  auth: setting(
    'BYTEAIR_AUTH',
    oneOf(['volc', 'air'] as const),
    undefined,
    'Auth scheme; defaults to volc when BYTEAIR_AK is set, air when only BYTEAIR_TOKEN is set.',
  ),
  ak: setting('BYTEAIR_AK', nonEmpty, undefined, 'Volc access key id (volc auth).'),
  sk: setting('BYTEAIR_SK', nonEmpty, undefined, 'Volc secret access key (volc auth). Never logged or stored in Redis.', true),
  token: setting('BYTEAIR_TOKEN', nonEmpty, undefined, 'Air auth token. Never logged or stored in Redis.', true),
  maxRequestsPerSecond: setting(
    'BYTEAIR_MAX_REQUESTS_PER_SECOND',
    integer(1, 100_000),
    '100',
    'Global ceiling: requests in any sliding second, all processes together.',
  ),
  maxRecordsPerSecond: setting(
    'BYTEAIR_MAX_RECORDS_PER_SECOND',
    integer(1, 10_000_000),
    '50000',
    'Global ceiling: records in any sliding second, all processes together.',
  ),
  maxRecordsPerRequest: setting('BYTEAIR_MAX_RECORDS_PER_REQUEST', integer(1, 10_000), '10000', 'Records per WriteData request (API maximum 10000).'),
  maxRequestBytes: setting(
    'BYTEAIR_MAX_REQUEST_BYTES',
    integer(1_024, 256 * 1024 * 1024),
    String(16 * 1024 * 1024),
    'Uncompressed JSON bytes per request; a chunk is cut earlier when it would exceed this.',
  ),
  limiterMarginMs: setting(
    'BYTEAIR_LIMITER_MARGIN_MS',
    integer(0, 1_000),
    '30',
    'Floor of the margin added to the 1-second window. The margin in use is half the spread (p99 - p1) of the round trips every worker measures per host, pooled in Redis (the latest 256; to the 100 Continue the server sends, or to the answer from a host that sends none), carried out to the p99.9 by the normal tail (x 1.43 with 256 samples, more with fewer), the widest over every worker, within this floor and BYTEAIR_LIMITER_MARGIN_CAP_MS: requests booked a window apart reach the API that window minus the spread of their delays apart.',
  ),
  limiterMarginCapMs: setting(
    'BYTEAIR_LIMITER_MARGIN_CAP_MS',
    integer(0, 10_000),
    undefined,
    'Cap of the measured margin; default 250 or BYTEAIR_LIMITER_MARGIN_MS if larger. Set it equal to BYTEAIR_LIMITER_MARGIN_MS to fix the margin at that value.',
  ),
  requestTimeoutMs: setting(
    'BYTEAIR_REQUEST_TIMEOUT_MS',
    integer(100, 600_000),
    '5000',
    'Floor of the timeout of one API call. The timeout in use is the smoothed answer time plus four deviations, per host, as TCP sets its retransmission timeout; each timeout in a row doubles it, up to BYTEAIR_REQUEST_TIMEOUT_CAP_MS, and the next answer brings it back.',
  ),
  requestTimeoutCapMs: setting(
    'BYTEAIR_REQUEST_TIMEOUT_CAP_MS',
    integer(100, 3_600_000),
    undefined,
    'Cap of the API call timeout; default 60000 or BYTEAIR_REQUEST_TIMEOUT_MS if larger. Set it equal to BYTEAIR_REQUEST_TIMEOUT_MS to fix the timeout at that value.',
  ),
  dateZone: setting('BYTEAIR_DATE_ZONE', timeZone, 'Asia/Shanghai', 'Time zone that defines a data date (use UTC for overseas regions).'),
  topics: setting('BYTEAIR_TOPICS', list(topicName, { allowEmpty: false }), 'item,user,behavior', 'Topics this deployment syncs.'),
  dailyDoneBy: setting(
    'BYTEAIR_DAILY_DONE_BY',
    dailyDoneBy,
    '06:00',
    "When a day's incremental_sync_daily Done is due: HH:MM on the next day in BYTEAIR_DATE_ZONE, for every daily topic; topic=HH:MM or topic=off for one (`06:00,item=08:30,behavior=off`); off for none. From a topic's first daily Done on, a date not acknowledged by then is late: `status`, the status page and byteair_daily_done_lag_seconds show it.",
  ),
  streamingOnlyTopics: setting(
    'BYTEAIR_STREAMING_ONLY_TOPICS',
    list(topicName, { allowEmpty: true }),
    '',
    'Topics declared streaming-only (never daily data); others are daily-then-streaming.',
  ),
  unorderedTopics: setting(
    'BYTEAIR_UNORDERED_TOPICS',
    list(topicName, { allowEmpty: true }),
    '',
    'Topics whose offline stages may overlap (pre_sync, history, daily ordering switched off).',
  ),
  concurrency: setting('BYTEAIR_CONCURRENCY', integer(1, 1_000), '8', 'Jobs in flight per worker process.'),
  attempts: setting('BYTEAIR_ATTEMPTS', integer(1, 1_000), '20', 'Attempts per job for transient failures (429 and open-circuit waits spend none).'),
  backoffBaseMs: setting('BYTEAIR_BACKOFF_BASE_MS', integer(1, 3_600_000), '1000', 'First retry delay; doubles per attempt, full jitter.'),
  backoffMaxMs: setting('BYTEAIR_BACKOFF_MAX_MS', integer(1, 86_400_000), '60000', 'Cap of the retry delay.'),
  lockDurationMs: setting(
    'BYTEAIR_LOCK_DURATION_MS',
    integer(1_000, 3_600_000),
    '30000',
    "Job lock; a crashed worker's jobs are recovered after about this long.",
  ),
  maxStalledCount: setting('BYTEAIR_MAX_STALLED_COUNT', integer(3, 1_000), '5', 'How often a job may be recovered from a crashed worker before it fails.'),
  shutdownTimeoutMs: setting('BYTEAIR_SHUTDOWN_TIMEOUT_MS', integer(0, 3_600_000), '15000', 'Graceful shutdown deadline; in-flight HTTP is aborted after it.'),
  keepCompletedSeconds: setting(
    'BYTEAIR_KEEP_COMPLETED_SECONDS',
    integer(60, 365 * 86_400),
    String(7 * 86_400),
    'How long completed jobs are kept (the replay/idempotency window).',
  ),
  streamBatchSize: setting('BYTEAIR_STREAM_BATCH_SIZE', integer(1, 10_000), '1000', 'Streaming records per upload when not behind.'),
  streamMaxWaitMs: setting('BYTEAIR_STREAM_MAX_WAIT_MS', integer(10, 600_000), '1000', 'Longest a streaming record waits for its batch to fill.'),
  streamIntakeCap: setting(
    'BYTEAIR_STREAM_INTAKE_CAP',
    integer(1, 1_000_000_000),
    '5000000',
    "Records a topic's streaming intake may hold; pushes beyond it are refused, never dropped.",
  ),
  circuitThreshold: setting('BYTEAIR_CIRCUIT_THRESHOLD', integer(1, 10_000), '5', 'Consecutive upstream-unavailable outcomes that open the circuit.'),
  circuitCooldownMs: setting('BYTEAIR_CIRCUIT_COOLDOWN_MS', integer(10, 3_600_000), '1000', 'First wait before a probe; doubles while probes fail.'),
  circuitMaxCooldownMs: setting(
    'BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS',
    integer(10, 3_600_000),
    '5000',
    'Cap of the wait between probes: after an outage the backlog starts draining at most this long after the API is back.',
  ),
  dashboardHost: setting('BYTEAIR_DASHBOARD_HOST', nonEmpty, '127.0.0.1', 'Dashboard listen address; non-loopback requires credentials.'),
  dashboardPort: setting('BYTEAIR_DASHBOARD_PORT', integer(0, 65_535), '3000', 'Dashboard port (0 = any free port).'),
  dashboardUser: setting('BYTEAIR_DASHBOARD_USER', nonEmpty, undefined, 'Dashboard login user.'),
  dashboardPassword: setting('BYTEAIR_DASHBOARD_PASSWORD', nonEmpty, undefined, 'Dashboard login password.', true),
  dashboardTrustedProxies: setting(
    'BYTEAIR_DASHBOARD_TRUSTED_PROXIES',
    list(ipOrCidr, { allowEmpty: true }),
    '',
    'Reverse proxies in front of the dashboard (comma list of IPs or CIDRs, v4 or v6). Only a request from one of them has its X-Forwarded-For read for the client address the login throttle counts; empty = the header is ignored.',
  ),
  dashboardReadOnly: setting(
    'BYTEAIR_DASHBOARD_READ_ONLY',
    boolean,
    'false',
    'Bull Board read-only mode (no retry/remove buttons, write endpoints answer 405).',
  ),
  ingestHost: setting('BYTEAIR_INGEST_HOST', nonEmpty, '127.0.0.1', 'HTTP ingest listen address (`byteair-sync ingest`).'),
  ingestPort: setting('BYTEAIR_INGEST_PORT', integer(0, 65_535), '3100', 'HTTP ingest port (0 = any free port).'),
  ingestToken: setting('BYTEAIR_INGEST_TOKEN', nonEmpty, undefined, 'Bearer token required by the HTTP ingest API.', true),
  ingestMaxBodyBytes: setting(
    'BYTEAIR_INGEST_MAX_BODY_BYTES',
    integer(1_024, 1024 * 1024 * 1024),
    String(32 * 1024 * 1024),
    'Largest HTTP ingest request body.',
  ),
  ingestMaxInflightBytes: setting(
    'BYTEAIR_INGEST_MAX_INFLIGHT_BYTES',
    integer(1_024, 16 * 1024 * 1024 * 1024),
    String(128 * 1024 * 1024),
    'HTTP ingest: request bodies held at once, in bytes, across every request; one that would go over is answered 503 with Retry-After before it is read. At least BYTEAIR_INGEST_MAX_BODY_BYTES.',
  ),
  httpHeadersTimeoutMs: setting(
    'BYTEAIR_HTTP_HEADERS_TIMEOUT_MS',
    integer(1_000, 600_000),
    '10000',
    "Ingest and dashboard servers: a request's headers must arrive within this, or it is answered 408 and closed.",
  ),
  httpRequestTimeoutMs: setting(
    'BYTEAIR_HTTP_REQUEST_TIMEOUT_MS',
    integer(1_000, 3_600_000),
    '60000',
    'Ingest and dashboard servers: a whole request (headers and body) must arrive within this, or it is answered 408 and closed.',
  ),
  httpMaxConnections: setting(
    'BYTEAIR_HTTP_MAX_CONNECTIONS',
    integer(1, 1_000_000),
    '1000',
    'Ingest and dashboard servers: open connections per server; a connection beyond it is closed at once.',
  ),
  logLevel: setting(
    'BYTEAIR_LOG_LEVEL',
    oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    'info',
    'Log level (JSON lines on stderr).',
  ),
});

export type SettingName = keyof typeof SETTINGS;
export type SettingValue<N extends SettingName> = (typeof SETTINGS)[N] extends Setting<infer T> ? T : never;
export type RawSettings = { readonly [N in SettingName]: SettingValue<N> | undefined };

/** The measured margin's cap when BYTEAIR_LIMITER_MARGIN_CAP_MS is not set (or the floor, if larger). */
export const DEFAULT_MARGIN_CAP_MS = 250;

/** The API call timeout's cap when BYTEAIR_REQUEST_TIMEOUT_CAP_MS is not set (or the floor, if larger). */
export const DEFAULT_REQUEST_TIMEOUT_CAP_MS = 60_000;

/**
 * The parsed default of a setting: the one source of that number for code that takes options
 * without the environment (the limiter, the circuit breaker) as well as for the loader.
 */
export function defaultOf<N extends SettingName>(name: N): SettingValue<N> {
  const spec = SETTINGS[name] as Setting<SettingValue<N>>;
  if (spec.default === undefined) throw new Error(`setting ${spec.key} has no default`);
  return spec.parse(spec.default);
}

/** The file named by this variable may hold any of the settings above, as a flat JSON object. */
export const CONFIG_FILE_KEY = 'BYTEAIR_CONFIG_FILE';
