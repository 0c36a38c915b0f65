import { readFileSync } from 'node:fs';
import { describeJsonSyntaxError, formatJsonSyntaxProblem } from '../validation/json-syntax-error.js';
import type { ApiAuth, Config, HttpServerLimits, TopicConfig } from './config.js';
import type { TimeOfDay } from '../freshness/time-of-day.js';
import { ConfigError } from './config-error.js';
import { REDACTED, Secret } from './secret.js';
import {
  CONFIG_FILE_KEY,
  DEFAULT_MARGIN_CAP_MS,
  DEFAULT_REQUEST_TIMEOUT_CAP_MS,
  defaultOf,
  SETTINGS,
  type RawSettings,
  type Setting,
  type SettingName,
} from './settings.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Environment variables that belong to us: anything else under these prefixes is a typo. */
const OWNED_PREFIXES = ['BYTEAIR_'];
const KNOWN_KEYS = new Set<string>([...Object.values(SETTINGS).map((s) => s.key), CONFIG_FILE_KEY]);

interface RawValue {
  readonly text: string;
  readonly source: string;
}

/**
 * Reads every setting from the environment and, when BYTEAIR_CONFIG_FILE names one, a flat
 * JSON file of the same keys (the environment wins). Validates everything once and returns
 * a deeply frozen Config; throws ConfigError naming the key and the (redacted) value.
 */
export function loadConfig(env: Env = process.env, overrides: Readonly<Record<string, string>> = {}): Config {
  const raw = new Map<string, RawValue>();
  const filePath = env[CONFIG_FILE_KEY];
  if (filePath !== undefined && filePath !== '') {
    for (const [key, text] of readConfigFile(filePath)) raw.set(key, { text, source: `file ${filePath}` });
  }
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || key === CONFIG_FILE_KEY) continue;
    if (KNOWN_KEYS.has(key)) raw.set(key, { text: value, source: 'environment' });
    else if (OWNED_PREFIXES.some((prefix) => key.startsWith(prefix))) {
      throw new ConfigError(key, REDACTED, `unknown setting${UNKNOWN_VALUE_HIDDEN}; known settings: ${[...KNOWN_KEYS].sort().join(', ')}`, 'environment');
    }
  }
  for (const [key, value] of Object.entries(overrides)) {
    // A misspelt override would otherwise be dropped without a word.
    if (!KNOWN_KEYS.has(key) || key === CONFIG_FILE_KEY) throw new ConfigError(key, REDACTED, `unknown setting${UNKNOWN_VALUE_HIDDEN}`, 'command line');
    raw.set(key, { text: value, source: 'command line' });
  }

  const values = parseAll(raw);
  return deepFreeze(assemble(values, raw));
}

/** An unknown key may be a mistyped secret (BYTEAIR_SK_), so its value is never echoed. */
const UNKNOWN_VALUE_HIDDEN = ' (value not shown: it may be a mistyped secret)';

function readConfigFile(path: string): Array<[string, string]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(CONFIG_FILE_KEY, JSON.stringify(path), `cannot read the file: ${(error as Error).message}`, 'environment');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The parser's own message may quote the file, secrets included: report only where it failed.
    throw new ConfigError(
      CONFIG_FILE_KEY,
      JSON.stringify(path),
      `is not valid JSON: ${formatJsonSyntaxProblem(describeJsonSyntaxError(error, text))}`,
      'environment',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(CONFIG_FILE_KEY, JSON.stringify(path), 'must contain a JSON object of settings', 'environment');
  }
  const entries: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (!KNOWN_KEYS.has(key) || key === CONFIG_FILE_KEY) {
      throw new ConfigError(key, REDACTED, `unknown setting in config file${UNKNOWN_VALUE_HIDDEN}`, `file ${path}`);
    }
    if (typeof value === 'string') entries.push([key, value]);
    else if (typeof value === 'number' || typeof value === 'boolean') entries.push([key, String(value)]);
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) entries.push([key, value.join(',')]);
    else throw new ConfigError(key, show(key, JSON.stringify(value)), 'must be a string, number, boolean or list of strings', `file ${path}`);
  }
  return entries;
}

function isSecretKey(key: string): boolean {
  return Object.values(SETTINGS).some((s) => s.key === key && s.secret);
}

/** A value as error messages may show it: secrets redacted, and a URL's password (REDIS_URL) masked. */
function show(key: string, value: string): string {
  return isSecretKey(key) ? REDACTED : JSON.stringify(maskUrlPassword(value));
}

function maskUrlPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, `$1${REDACTED}@`);
}

function parseAll(raw: ReadonlyMap<string, RawValue>): RawSettings {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as Array<[SettingName, Setting<unknown>]>) {
    const given = raw.get(spec.key);
    const text = given?.text ?? spec.default;
    if (text === undefined) {
      out[name] = undefined;
      continue;
    }
    try {
      out[name] = spec.parse(text);
    } catch (error) {
      throw new ConfigError(spec.key, show(spec.key, text), (error as Error).message, given?.source ?? 'default');
    }
  }
  return out as RawSettings;
}

function required<T>(value: T | undefined, name: SettingName, why: string): T {
  if (value === undefined) throw new ConfigError(SETTINGS[name].key, 'nothing', `is required ${why}`, 'environment');
  return value;
}

function sourceOf(raw: ReadonlyMap<string, RawValue>, name: SettingName): string {
  return raw.get(SETTINGS[name].key)?.source ?? 'default';
}

/** A bound that must not fall below another setting's value (a cap below its floor), named with both. */
function requireAtLeast(raw: ReadonlyMap<string, RawValue>, name: SettingName, value: number, floorName: SettingName, floor: number): void {
  if (value < floor) throw new ConfigError(SETTINGS[name].key, String(value), `must be at least ${SETTINGS[floorName].key} (${floor})`, sourceOf(raw, name));
}

function assemble(v: RawSettings, raw: ReadonlyMap<string, RawValue>): Config {
  const topics = required(v.topics, 'topics', '');
  const checkSubset = (name: 'streamingOnlyTopics' | 'unorderedTopics'): readonly string[] => {
    const listed = v[name] ?? [];
    for (const topic of listed) {
      if (!topics.includes(topic)) {
        throw new ConfigError(
          SETTINGS[name].key,
          JSON.stringify(listed.join(',')),
          `topic "${topic}" is not in BYTEAIR_TOPICS (${topics.join(',')})`,
          sourceOf(raw, name),
        );
      }
    }
    return listed;
  };
  const streamingOnly = checkSubset('streamingOnlyTopics');
  const unordered = checkSubset('unorderedTopics');
  if (new Set(topics).size !== topics.length) {
    throw new ConfigError(SETTINGS.topics.key, JSON.stringify(topics.join(',')), 'lists a topic twice', sourceOf(raw, 'topics'));
  }
  const doneBy = dailyDoneByOf(v, raw, topics, streamingOnly);
  const topicConfigs: TopicConfig[] = topics.map((name) => ({
    name,
    mode: streamingOnly.includes(name) ? 'streaming-only' : 'daily-then-streaming',
    stageOrder: !unordered.includes(name),
    dailyDoneBy: doneBy(name),
  }));

  const backoffBaseMs = required(v.backoffBaseMs, 'backoffBaseMs', '');
  const backoffMaxMs = required(v.backoffMaxMs, 'backoffMaxMs', '');
  requireAtLeast(raw, 'backoffMaxMs', backoffMaxMs, 'backoffBaseMs', backoffBaseMs);
  const cooldownMs = required(v.circuitCooldownMs, 'circuitCooldownMs', '');
  const maxCooldownMs = required(v.circuitMaxCooldownMs, 'circuitMaxCooldownMs', '');
  requireAtLeast(raw, 'circuitMaxCooldownMs', maxCooldownMs, 'circuitCooldownMs', cooldownMs);
  const maxRecordsPerRequest = required(v.maxRecordsPerRequest, 'maxRecordsPerRequest', '');
  const maxRecordsPerSecond = required(v.maxRecordsPerSecond, 'maxRecordsPerSecond', '');
  if (maxRecordsPerRequest > maxRecordsPerSecond) {
    throw new ConfigError(
      SETTINGS.maxRecordsPerRequest.key,
      String(maxRecordsPerRequest),
      `must not exceed BYTEAIR_MAX_RECORDS_PER_SECOND (${maxRecordsPerSecond}), or no request could ever be sent`,
      sourceOf(raw, 'maxRecordsPerRequest'),
    );
  }
  const marginMs = required(v.limiterMarginMs, 'limiterMarginMs', '');
  const marginCapMs = v.limiterMarginCapMs ?? Math.max(DEFAULT_MARGIN_CAP_MS, marginMs);
  requireAtLeast(raw, 'limiterMarginCapMs', marginCapMs, 'limiterMarginMs', marginMs);
  const requestTimeoutMs = required(v.requestTimeoutMs, 'requestTimeoutMs', '');
  const requestTimeoutCapMs = v.requestTimeoutCapMs ?? Math.max(DEFAULT_REQUEST_TIMEOUT_CAP_MS, requestTimeoutMs);
  requireAtLeast(raw, 'requestTimeoutCapMs', requestTimeoutCapMs, 'requestTimeoutMs', requestTimeoutMs);
  const streamBatchSize = required(v.streamBatchSize, 'streamBatchSize', '');
  if (streamBatchSize > maxRecordsPerRequest) {
    throw new ConfigError(
      SETTINGS.streamBatchSize.key,
      String(streamBatchSize),
      `must not exceed BYTEAIR_MAX_RECORDS_PER_REQUEST (${maxRecordsPerRequest})`,
      sourceOf(raw, 'streamBatchSize'),
    );
  }
  if ((v.dashboardUser === undefined) !== (v.dashboardPassword === undefined)) {
    const missing = v.dashboardUser === undefined ? 'dashboardUser' : 'dashboardPassword';
    throw new ConfigError(
      SETTINGS[missing].key,
      'nothing',
      'BYTEAIR_DASHBOARD_USER and BYTEAIR_DASHBOARD_PASSWORD are set together or not at all',
      'environment',
    );
  }

  return {
    redis: {
      url: required(v.redisUrl, 'redisUrl', ''),
      clusterNodes: v.redisClusterNodes ?? [],
      prefix: required(v.redisPrefix, 'redisPrefix', ''),
    },
    api: {
      hosts: required(v.hosts, 'hosts', ''),
      scheme: required(v.scheme, 'scheme', ''),
      tenantId: v.tenantId,
      applicationId: v.applicationId,
      auth: resolveAuth(v, raw),
      credentials: {
        ...(v.ak !== undefined && v.sk !== undefined ? { volc: { ak: v.ak, sk: new Secret(v.sk) } } : {}),
        ...(v.token !== undefined ? { air: { token: new Secret(v.token) } } : {}),
      },
      timeoutMs: requestTimeoutMs,
      timeoutCapMs: requestTimeoutCapMs,
    },
    limits: {
      maxRequestsPerSecond: required(v.maxRequestsPerSecond, 'maxRequestsPerSecond', ''),
      maxRecordsPerSecond,
      maxRecordsPerRequest,
      maxRequestBytes: required(v.maxRequestBytes, 'maxRequestBytes', ''),
      marginMs,
      marginCapMs,
    },
    dateZone: required(v.dateZone, 'dateZone', ''),
    topics: topicConfigs,
    worker: {
      concurrency: required(v.concurrency, 'concurrency', ''),
      attempts: required(v.attempts, 'attempts', ''),
      backoffBaseMs,
      backoffMaxMs,
      lockDurationMs: required(v.lockDurationMs, 'lockDurationMs', ''),
      maxStalledCount: required(v.maxStalledCount, 'maxStalledCount', ''),
      shutdownTimeoutMs: required(v.shutdownTimeoutMs, 'shutdownTimeoutMs', ''),
      keepCompletedSeconds: required(v.keepCompletedSeconds, 'keepCompletedSeconds', ''),
    },
    streaming: {
      batchSize: streamBatchSize,
      maxWaitMs: required(v.streamMaxWaitMs, 'streamMaxWaitMs', ''),
      intakeCap: required(v.streamIntakeCap, 'streamIntakeCap', ''),
    },
    circuit: {
      threshold: required(v.circuitThreshold, 'circuitThreshold', ''),
      cooldownMs,
      maxCooldownMs,
    },
    dashboard: {
      host: required(v.dashboardHost, 'dashboardHost', ''),
      port: required(v.dashboardPort, 'dashboardPort', ''),
      user: v.dashboardUser,
      password: v.dashboardPassword === undefined ? undefined : new Secret(v.dashboardPassword),
      readOnly: required(v.dashboardReadOnly, 'dashboardReadOnly', ''),
      trustedProxies: v.dashboardTrustedProxies ?? [],
    },
    ingest: {
      host: required(v.ingestHost, 'ingestHost', ''),
      port: required(v.ingestPort, 'ingestPort', ''),
      token: v.ingestToken === undefined ? undefined : new Secret(v.ingestToken),
      maxBodyBytes: required(v.ingestMaxBodyBytes, 'ingestMaxBodyBytes', ''),
      maxInflightBytes: inflightBytesOf(v, raw),
    },
    http: httpLimitsOf(v, raw),
    logLevel: required(v.logLevel, 'logLevel', ''),
  };
}

/** Each topic's daily Done deadline; a streaming-only topic owes no daily data, so has none. */
function dailyDoneByOf(
  v: RawSettings,
  raw: ReadonlyMap<string, RawValue>,
  topics: readonly string[],
  streamingOnly: readonly string[],
): (topic: string) => TimeOfDay | null {
  const setting = required(v.dailyDoneBy, 'dailyDoneBy', '');
  const fail = (reason: string): never => {
    throw new ConfigError(
      SETTINGS.dailyDoneBy.key,
      JSON.stringify(raw.get(SETTINGS.dailyDoneBy.key)?.text ?? SETTINGS.dailyDoneBy.default),
      reason,
      sourceOf(raw, 'dailyDoneBy'),
    );
  };
  for (const { topic, doneBy } of setting.topics) {
    if (!topics.includes(topic)) fail(`topic "${topic}" is not in BYTEAIR_TOPICS (${topics.join(',')})`);
    if (doneBy !== null && streamingOnly.includes(topic))
      fail(`topic "${topic}" is streaming-only (BYTEAIR_STREAMING_ONLY_TOPICS): it never uploads daily data, so no daily Done is due`);
  }
  // Only exceptions given: the others keep the setting's default time.
  const all = setting.all === undefined ? (defaultOf('dailyDoneBy').all ?? null) : setting.all;
  return (topic) => {
    if (streamingOnly.includes(topic)) return null;
    const own = setting.topics.find((t) => t.topic === topic);
    return own === undefined ? all : own.doneBy;
  };
}

function inflightBytesOf(v: RawSettings, raw: ReadonlyMap<string, RawValue>): number {
  const maxBody = required(v.ingestMaxBodyBytes, 'ingestMaxBodyBytes', '');
  const inflight = required(v.ingestMaxInflightBytes, 'ingestMaxInflightBytes', '');
  // Below one largest body, a body the size limit allows could never be taken.
  requireAtLeast(raw, 'ingestMaxInflightBytes', inflight, 'ingestMaxBodyBytes', maxBody);
  return inflight;
}

function httpLimitsOf(v: RawSettings, raw: ReadonlyMap<string, RawValue>): HttpServerLimits {
  const headersTimeoutMs = required(v.httpHeadersTimeoutMs, 'httpHeadersTimeoutMs', '');
  const requestTimeoutMs = required(v.httpRequestTimeoutMs, 'httpRequestTimeoutMs', '');
  // Node refuses a headers timeout longer than the request's (the request would end first).
  requireAtLeast(raw, 'httpRequestTimeoutMs', requestTimeoutMs, 'httpHeadersTimeoutMs', headersTimeoutMs);
  return { headersTimeoutMs, requestTimeoutMs, maxConnections: required(v.httpMaxConnections, 'httpMaxConnections', '') };
}

function resolveAuth(v: RawSettings, raw: ReadonlyMap<string, RawValue>): ApiAuth | undefined {
  const kind = v.auth ?? (v.ak !== undefined || v.sk !== undefined ? 'volc' : v.token !== undefined ? 'air' : undefined);
  if (kind === undefined) return undefined;
  if (kind === 'volc') {
    if (v.ak === undefined || v.sk === undefined) {
      const missing = v.ak === undefined ? SETTINGS.ak.key : SETTINGS.sk.key;
      throw new ConfigError(missing, 'nothing', 'volc auth needs both BYTEAIR_AK and BYTEAIR_SK', sourceOf(raw, 'auth'));
    }
    return { kind: 'volc', ak: v.ak, sk: new Secret(v.sk) };
  }
  if (v.token === undefined) throw new ConfigError(SETTINGS.token.key, 'nothing', 'air auth needs BYTEAIR_TOKEN', sourceOf(raw, 'auth'));
  return { kind: 'air', token: new Secret(v.token) };
}

/** What a process that calls the API needs beyond the defaults; checked at its start-up. */
export function requireApiSettings(config: Config): { tenantId: string; applicationId: string; auth: ApiAuth } {
  const { tenantId, applicationId, auth } = config.api;
  if (tenantId === undefined) throw new ConfigError(SETTINGS.tenantId.key, 'nothing', 'is required to call the ByteAir API', 'environment');
  if (applicationId === undefined) throw new ConfigError(SETTINGS.applicationId.key, 'nothing', 'is required to call the ByteAir API', 'environment');
  if (auth === undefined) {
    throw new ConfigError(
      'BYTEAIR_AK',
      'nothing',
      'set BYTEAIR_AK and BYTEAIR_SK (volc auth) or BYTEAIR_TOKEN (air auth) to call the ByteAir API',
      'environment',
    );
  }
  return { tenantId, applicationId, auth };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Secret) && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
