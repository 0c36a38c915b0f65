import { IANAZone } from 'luxon';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock, type Random } from 'byteair-sync/internal/src/clock.js';
import { InvalidInputError } from 'byteair-sync/internal/src/errors/invalid-input-error.js';
import type { Logger } from 'byteair-sync/internal/src/observability/logger.js';
import { mergeFaults, NO_FAULTS, type Faults, type FaultsPatch } from './faults.js';

/** One account/application the emulator knows, with the credentials it accepts. */
export interface EmulatorTenant {
  readonly tenantId: string;
  readonly applicationId: string;
  /** Volc AK/SK; both or neither. */
  readonly ak?: string;
  readonly sk?: string;
  /** Air auth token. */
  readonly token?: string;
}

export interface EmulatorTopic {
  readonly name: string;
  /** Field holding the record id for the ledger; defaults in DEFAULT_ID_FIELDS, else `id`. */
  readonly idField?: string;
  /** Records missing any of these come back in a 1001 answer. */
  readonly requiredFields?: readonly string[];
}

export interface EmulatorLimits {
  /** When false nothing gets 429 for speed; excesses are still counted. Default true. */
  readonly enabled?: boolean;
  /** Default 100 (the documented recommendation). */
  readonly maxRequestsPerSecond?: number;
  /** Default 50 000. */
  readonly maxRecordsPerSecond?: number;
}

/**
 * How a refusal is told: `status` = HTTP 200 with the protobuf status code (the API's own
 * convention: "HTTP stays 200"), `http` = the HTTP status itself.
 */
export type RefusalAnswer = 'status' | 'http';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly tenants: readonly EmulatorTenant[];
  /** Default item, user, behavior. */
  readonly topics?: ReadonlyArray<string | EmulatorTopic>;
  readonly limits?: EmulatorLimits;
  /** 429 as status inside HTTP 200 (default) or as HTTP 429; both carry Retry-After. */
  readonly rateLimitAnswer?: RefusalAnswer;
  /** Auth failures as status 401 inside HTTP 200 (default) or as HTTP 401. */
  readonly authFailureAnswer?: RefusalAnswer;
  /** How long a Request-Id is remembered; default 24 h. */
  readonly requestIdRetentionMs?: number;
  /** The clock for signatures, Request-Id retention and "yesterday"; default the system clock. */
  readonly clock?: Clock;
  /** Monotonic milliseconds for the 1-second windows; default performance.now. */
  readonly monotonicNow?: () => number;
  /** Randomness for faults; default Math.random. */
  readonly random?: Random;
  /** Accepted |X-Date - now|; default 900 s (the generic Volc OpenAPI figure). */
  readonly volcSkewSeconds?: number;
  /** Accepted |Tenant-Ts - now|; default 5 s (BytePlus token-auth doc). */
  readonly airSkewSeconds?: number;
  /** Refuse ordering violations with 400 instead of only counting them. Default false. */
  readonly strictOrdering?: boolean;
  /** Topics declared streaming-only: streaming before a daily Done is fine, daily is a violation. */
  readonly streamingOnlyTopics?: readonly string[];
  /** Zone whose "yesterday" an empty Done body closes; default Asia/Shanghai. */
  readonly dateZone?: string;
  readonly faults?: FaultsPatch;
  /** Largest request body accepted (compressed bytes); default 64 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Worker threads that decompress, parse and check request bodies, so that parsing never
   * delays the arrival stamps of other requests. Default: the CPUs this process may use, at
   * most 4. 0 judges bodies on the main thread (arrival stamps then wait behind parsing).
   */
  readonly bodyThreads?: number;
  /** Default: no logging. */
  readonly logger?: Logger;
}

export interface ResolvedTopic {
  readonly name: string;
  readonly idField: string;
  readonly requiredFields: readonly string[];
}

export interface ResolvedEmulatorOptions {
  readonly host: string;
  readonly port: number;
  readonly tenants: readonly EmulatorTenant[];
  readonly topics: ReadonlyMap<string, ResolvedTopic>;
  readonly limits: Required<EmulatorLimits>;
  readonly rateLimitAnswer: RefusalAnswer;
  readonly authFailureAnswer: RefusalAnswer;
  readonly requestIdRetentionMs: number;
  readonly clock: Clock;
  readonly monotonicNow: () => number;
  readonly random: Random;
  readonly volcSkewMs: number;
  readonly airSkewMs: number;
  readonly strictOrdering: boolean;
  readonly streamingOnlyTopics: ReadonlySet<string>;
  readonly dateZone: string;
  readonly faults: Faults;
  readonly maxBodyBytes: number;
  readonly bodyThreads: number;
  readonly logger: Logger | undefined;
}

/**
 * Ledger id fields per topic. `item` and `user` follow the industry data spec's primary keys;
 * behaviors have no mandatory id, so `bhv_id` is this project's convention (a behavior
 * without it is accepted and counted under recordsWithoutId).
 */
export const DEFAULT_ID_FIELDS: Readonly<Record<string, string>> = Object.freeze({ item: 'id', user: 'user_id', behavior: 'bhv_id' });

export const DEFAULT_TOPICS = Object.freeze(['item', 'user', 'behavior']);

export const EMULATOR_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  maxRequestsPerSecond: 100,
  maxRecordsPerSecond: 50_000,
  requestIdRetentionMs: 24 * 3_600_000,
  volcSkewSeconds: 900,
  airSkewSeconds: 5,
  dateZone: 'Asia/Shanghai',
  maxBodyBytes: 64 * 1024 * 1024,
});

/**
 * One thread judges about 170 000 records/s of 10 000-record bodies (npm run bench --
 * emulator), over three times the API's documented ceiling, which is all a client may send;
 * beyond four, threads only cost memory and start-up time on big machines.
 * availableParallelism() honours CPU affinity, so a process pinned to one core gets one.
 */
const DEFAULT_BODY_THREADS_CAP = 4;
const MAX_BODY_THREADS = 64;

function positiveInteger(field: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) throw new InvalidInputError(field, v, `must be a whole number of at least ${min}`);
  return v;
}

function oneOf<T extends string>(field: string, value: T | undefined, choices: readonly T[], fallback: T): T {
  const v = value ?? fallback;
  if (!choices.includes(v)) throw new InvalidInputError(field, v, `must be one of ${choices.join(', ')}`);
  return v;
}

function resolveTopics(topics: ReadonlyArray<string | EmulatorTopic>): Map<string, ResolvedTopic> {
  const resolved = new Map<string, ResolvedTopic>();
  topics.forEach((entry, index) => {
    const topic: EmulatorTopic = typeof entry === 'string' ? { name: entry } : entry;
    if (typeof topic.name !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(topic.name)) {
      throw new InvalidInputError(`topics[${index}].name`, topic.name, 'must be lowercase letters, digits or _');
    }
    if (resolved.has(topic.name)) throw new InvalidInputError(`topics[${index}].name`, topic.name, 'is listed twice');
    const idField = topic.idField ?? DEFAULT_ID_FIELDS[topic.name] ?? 'id';
    if (idField === '') throw new InvalidInputError(`topics[${index}].idField`, idField, 'must not be empty');
    resolved.set(topic.name, { name: topic.name, idField, requiredFields: Object.freeze([...(topic.requiredFields ?? [])]) });
  });
  if (resolved.size === 0) throw new InvalidInputError('topics', topics, 'must list at least one topic');
  return resolved;
}

function checkTenants(tenants: readonly EmulatorTenant[]): void {
  if (tenants.length === 0) throw new InvalidInputError('tenants', tenants, 'must list at least one tenant');
  const skByAk = new Map<string, string>();
  const tokenByTenant = new Map<string, string>();
  tenants.forEach((tenant, index) => {
    const at = `tenants[${index}]`;
    if (!/^\d{1,20}$/.test(tenant.tenantId)) throw new InvalidInputError(`${at}.tenantId`, tenant.tenantId, 'must be a numeric id');
    if (!/^\d{1,20}$/.test(tenant.applicationId)) throw new InvalidInputError(`${at}.applicationId`, tenant.applicationId, 'must be a numeric id');
    if ((tenant.ak === undefined) !== (tenant.sk === undefined)) throw new InvalidInputError(`${at}.ak`, tenant.ak, 'ak and sk are given together');
    if (tenant.ak === undefined && tenant.token === undefined) throw new InvalidInputError(at, tenant.tenantId, 'needs ak/sk, a token, or both');
    if (tenant.ak !== undefined && tenant.sk !== undefined) {
      // An AK names one secret; two different SKs for it would make verification ambiguous.
      const known = skByAk.get(tenant.ak);
      if (known !== undefined && known !== tenant.sk)
        throw new InvalidInputError(`${at}.sk`, '[redacted]', `differs from the sk given earlier for ak ${tenant.ak}`);
      skByAk.set(tenant.ak, tenant.sk);
    }
    if (tenant.token !== undefined) {
      const known = tokenByTenant.get(tenant.tenantId);
      if (known !== undefined && known !== tenant.token)
        throw new InvalidInputError(`${at}.token`, '[redacted]', `differs from the token given earlier for tenant ${tenant.tenantId}`);
      tokenByTenant.set(tenant.tenantId, tenant.token);
    }
  });
}

function bodyThreads(value: number | undefined): number {
  const threads = positiveInteger('bodyThreads', value, Math.min(availableParallelism(), DEFAULT_BODY_THREADS_CAP), 0);
  if (threads > MAX_BODY_THREADS) throw new InvalidInputError('bodyThreads', threads, `must be at most ${MAX_BODY_THREADS}`);
  return threads;
}

/** Validates every option once, before anything listens, and fills in the defaults. */
export function resolveEmulatorOptions(options: EmulatorOptions): ResolvedEmulatorOptions {
  checkTenants(options.tenants);
  const topics = resolveTopics(options.topics ?? DEFAULT_TOPICS);
  const streamingOnly = new Set(options.streamingOnlyTopics ?? []);
  for (const topic of streamingOnly) {
    if (!topics.has(topic)) throw new InvalidInputError('streamingOnlyTopics', topic, `is not one of the topics (${[...topics.keys()].join(', ')})`);
  }
  const dateZone = options.dateZone ?? EMULATOR_DEFAULTS.dateZone;
  if (!IANAZone.isValidZone(dateZone)) throw new InvalidInputError('dateZone', dateZone, 'must be an IANA time zone such as Asia/Shanghai or UTC');
  const port = options.port ?? EMULATOR_DEFAULTS.port;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) throw new InvalidInputError('port', port, 'must be 0-65535');
  const volcSkewSeconds = options.volcSkewSeconds ?? EMULATOR_DEFAULTS.volcSkewSeconds;
  const airSkewSeconds = options.airSkewSeconds ?? EMULATOR_DEFAULTS.airSkewSeconds;
  if (!(volcSkewSeconds >= 0)) throw new InvalidInputError('volcSkewSeconds', volcSkewSeconds, 'must be 0 or more');
  if (!(airSkewSeconds >= 0)) throw new InvalidInputError('airSkewSeconds', airSkewSeconds, 'must be 0 or more');
  return Object.freeze({
    host: options.host ?? EMULATOR_DEFAULTS.host,
    port,
    tenants: Object.freeze(options.tenants.map((t) => Object.freeze({ ...t }))),
    topics,
    limits: Object.freeze({
      enabled: options.limits?.enabled ?? true,
      maxRequestsPerSecond: positiveInteger('limits.maxRequestsPerSecond', options.limits?.maxRequestsPerSecond, EMULATOR_DEFAULTS.maxRequestsPerSecond),
      maxRecordsPerSecond: positiveInteger('limits.maxRecordsPerSecond', options.limits?.maxRecordsPerSecond, EMULATOR_DEFAULTS.maxRecordsPerSecond),
    }),
    rateLimitAnswer: oneOf('rateLimitAnswer', options.rateLimitAnswer, ['status', 'http'], 'status'),
    authFailureAnswer: oneOf('authFailureAnswer', options.authFailureAnswer, ['status', 'http'], 'status'),
    requestIdRetentionMs: positiveInteger('requestIdRetentionMs', options.requestIdRetentionMs, EMULATOR_DEFAULTS.requestIdRetentionMs),
    clock: options.clock ?? systemClock,
    monotonicNow: options.monotonicNow ?? (() => performance.now()),
    random: options.random ?? Math.random,
    volcSkewMs: volcSkewSeconds * 1000,
    airSkewMs: airSkewSeconds * 1000,
    strictOrdering: options.strictOrdering ?? false,
    streamingOnlyTopics: streamingOnly,
    dateZone,
    faults: mergeFaults(NO_FAULTS, options.faults ?? {}),
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, EMULATOR_DEFAULTS.maxBodyBytes),
    bodyThreads: bodyThreads(options.bodyThreads),
    logger: options.logger,
  });
}
