import { InvalidArgumentError } from 'commander';
import { IANAZone } from 'luxon';
import { fixedClock, systemClock, type Clock } from 'byteair-sync/internal/src/clock.js';
import type { Config } from 'byteair-sync/internal/src/config/config.js';
import type { EmulatorOptions, EmulatorTenant, EmulatorTopic, OutageMode } from '../index.js';
import { ByteairSyncError } from 'byteair-sync/internal/src/errors/byteair-sync-error.js';
import { isOddAnswer, ODD_BODIES, type OddAnswer } from '../emulator/odd-answers.js';
import { parseRecordRejectionRules, type RecordRejectionRule } from '../emulator/record-rules.js';

/** The `byteair-sync emulator` flags as commander hands them over (already parsed). */
export interface EmulatorFlags {
  readonly host: string;
  readonly port: number;
  readonly tenantId?: string;
  readonly applicationId?: string;
  readonly ak?: string;
  readonly sk?: string;
  readonly token?: string;
  readonly now?: number;
  readonly clockAdvances?: boolean;
  readonly topics?: readonly string[];
  readonly idField: ReadonlyArray<readonly [string, string]>;
  readonly required: ReadonlyArray<readonly [string, readonly string[]]>;
  readonly maxRequestsPerSecond?: number;
  readonly maxRecordsPerSecond?: number;
  /** false with --no-limits. */
  readonly limits: boolean;
  readonly rateLimitAnswer?: 'status' | 'http';
  readonly authFailureAnswer?: 'status' | 'http';
  readonly requestIdRetentionSeconds?: number;
  readonly volcSkewSeconds?: number;
  readonly airSkewSeconds?: number;
  readonly strictOrdering?: boolean;
  /** commander's --no-front-door-priority: false turns it off. */
  readonly frontDoorPriority?: boolean;
  readonly streamingOnlyTopics?: readonly string[];
  readonly dateZone?: string;
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  readonly inDelayMs?: number;
  readonly inJitterMs?: number;
  readonly outDelayMs?: number;
  readonly outJitterMs?: number;
  readonly p500?: number;
  readonly p503?: number;
  readonly pHang?: number;
  readonly pReset?: number;
  readonly hangMs?: number;
  readonly faultsAfterApply?: boolean;
  readonly oddAnswer?: OddAnswer;
  readonly oddAnswerTimes?: number;
  readonly rejectRecord: readonly RecordRejectionRule[];
  readonly outageAfter: number;
  readonly outageSeconds?: number;
  readonly outageMode: OutageMode;
  readonly stormAfter: number;
  readonly stormSeconds?: number;
  readonly logLevel?: string;
}

/**
 * Obviously fake credentials for offline rehearsal, used for whatever neither a flag nor the
 * project config (BYTEAIR_*) sets. Printed at start so a client can be pointed at them.
 */
export const FAKE_CREDENTIALS = Object.freeze({
  tenantId: '1000001',
  applicationId: '2000001',
  ak: 'AKLT-emulator-fake-ak',
  sk: 'emulator-fake-sk',
  token: 'emulator-fake-token',
});

export const DEFAULT_EMULATOR_PORT = 8480;

// Commander calls these with the raw text and prints "option '--x <v>' argument 'raw' is invalid. <reason>".
export function numberFlag(min: number, max: number, integer = false): (raw: string) => number {
  return (raw) => {
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new InvalidArgumentError(`must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
    }
    return value;
  };
}

export const probabilityFlag = numberFlag(0, 1);

export function oddAnswerFlag(raw: string): OddAnswer {
  const value = raw.trim();
  if (!isOddAnswer(value)) throw new InvalidArgumentError(`must be http-300 to http-599 or one of ${ODD_BODIES.join(', ')}`);
  return value;
}

export function idFlag(raw: string): string {
  if (!/^\d{1,20}$/.test(raw.trim())) throw new InvalidArgumentError('must be a numeric id (digits only)');
  return raw.trim();
}

export function textFlag(raw: string): string {
  if (raw.trim() === '') throw new InvalidArgumentError('must not be empty');
  return raw.trim();
}

/** An ISO 8601 instant with an offset or Z, e.g. 2022-01-02T03:04:05Z; epoch milliseconds out. */
export function instantFlag(raw: string): number {
  const text = raw.trim();
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(ms)) {
    throw new InvalidArgumentError('must be an ISO 8601 time with a zone, e.g. 2022-01-02T03:04:05Z');
  }
  return ms;
}

export function topicListFlag(raw: string): string[] {
  const topics = raw
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const bad = topics.find((t) => !/^[a-z][a-z0-9_]{0,63}$/.test(t));
  if (bad !== undefined) throw new InvalidArgumentError(`topic "${bad}" must be lowercase letters, digits or _`);
  return topics;
}

export function zoneFlag(raw: string): string {
  if (!IANAZone.isValidZone(raw.trim())) throw new InvalidArgumentError('must be an IANA time zone such as Asia/Shanghai or UTC');
  return raw.trim();
}

/** Repeatable `topic=field`. */
export function idFieldFlag(raw: string, previous: ReadonlyArray<readonly [string, string]>): Array<readonly [string, string]> {
  const m = /^([a-z][a-z0-9_]*)=(\S+)$/.exec(raw.trim());
  if (m === null) throw new InvalidArgumentError('must be topic=field, e.g. behavior=event_id');
  return [...previous, [m[1] as string, m[2] as string]];
}

/** Repeatable `topic=field1,field2`. */
export function requiredFlag(raw: string, previous: ReadonlyArray<readonly [string, readonly string[]]>): Array<readonly [string, readonly string[]]> {
  const m = /^([a-z][a-z0-9_]*)=(\S+)$/.exec(raw.trim());
  if (m === null) throw new InvalidArgumentError('must be topic=field1,field2');
  return [...previous, [m[1] as string, (m[2] as string).split(',').filter((f) => f !== '')]];
}

/** Repeatable JSON rule, e.g. {"field":"price","missing":true,"reason":"no price"}. */
export function rejectRecordFlag(raw: string, previous: readonly RecordRejectionRule[]): RecordRejectionRule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidArgumentError('must be a JSON object like {"field":"price","missing":true,"reason":"no price"}');
  }
  try {
    return [...previous, ...parseRecordRejectionRules([parsed], 'rule')];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof ByteairSyncError ? error.message : String(error));
  }
}

type CredentialSource = 'flag' | 'config' | 'fake';

export interface ResolvedCommand {
  readonly options: EmulatorOptions;
  readonly tenant: Required<EmulatorTenant>;
  /** Where each credential came from; secrets are printed only when they are the fake ones. */
  readonly sources: Readonly<Record<keyof typeof FAKE_CREDENTIALS, CredentialSource>>;
  readonly clockDescription: string;
  readonly outage: { readonly afterSeconds: number; readonly seconds: number; readonly mode: OutageMode } | undefined;
  readonly storm: { readonly afterSeconds: number; readonly seconds: number } | undefined;
  /** Raise the stamping thread's priority when permitted (front-door-priority.ts). */
  readonly frontDoorPriority: boolean;
}

function pick(flag: string | undefined, config: string | undefined, fake: string): [string, CredentialSource] {
  if (flag !== undefined) return [flag, 'flag'];
  if (config !== undefined) return [config, 'config'];
  return [fake, 'fake'];
}

function clockFrom(flags: EmulatorFlags, realNow: () => number): { clock: Clock; description: string } {
  if (flags.now === undefined) return { clock: systemClock, description: 'system' };
  const start = new Date(flags.now).toISOString();
  if (flags.clockAdvances !== true) return { clock: fixedClock(flags.now), description: `fixed at ${start}` };
  const offset = flags.now - realNow();
  return { clock: { now: () => realNow() + offset }, description: `starts at ${start} and advances` };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** Flags (and the project config for credentials) to emulator options. Pure but for `realNow`. */
export function resolveEmulatorCommand(flags: EmulatorFlags, config: Config, realNow: () => number = Date.now): ResolvedCommand {
  const { volc, air } = config.api.credentials;
  const [tenantId, tenantSource] = pick(flags.tenantId, config.api.tenantId, FAKE_CREDENTIALS.tenantId);
  const [applicationId, appSource] = pick(flags.applicationId, config.api.applicationId, FAKE_CREDENTIALS.applicationId);
  const [ak, akSource] = pick(flags.ak, volc?.ak, FAKE_CREDENTIALS.ak);
  const [sk, skSource] = pick(flags.sk, volc?.sk.reveal(), FAKE_CREDENTIALS.sk);
  const [token, tokenSource] = pick(flags.token, air?.token.reveal(), FAKE_CREDENTIALS.token);
  const tenant = { tenantId, applicationId, ak, sk, token };
  const topicNames = flags.topics ?? config.topics.map((t) => t.name);
  const topics: EmulatorTopic[] = topicNames.map((name) => {
    const idField = flags.idField.filter(([topic]) => topic === name).at(-1)?.[1];
    const requiredFields = flags.required.filter(([topic]) => topic === name).flatMap(([, fields]) => fields);
    return { name, ...optional('idField', idField), ...(requiredFields.length > 0 ? { requiredFields } : {}) };
  });
  const { clock, description } = clockFrom(flags, realNow);
  const faults = {
    ...optional('latencyMs', flags.latencyMs),
    ...optional('jitterMs', flags.jitterMs),
    ...optional('inDelayMs', flags.inDelayMs),
    ...optional('inJitterMs', flags.inJitterMs),
    ...optional('outDelayMs', flags.outDelayMs),
    ...optional('outJitterMs', flags.outJitterMs),
    ...optional('p500', flags.p500),
    ...optional('p503', flags.p503),
    ...optional('pHang', flags.pHang),
    ...optional('pReset', flags.pReset),
    ...optional('hangMs', flags.hangMs),
    ...optional('afterApply', flags.faultsAfterApply),
    ...optional('oddAnswer', flags.oddAnswer),
    ...optional('oddAnswerTimes', flags.oddAnswerTimes),
    ...(flags.rejectRecord.length > 0 ? { recordRejections: flags.rejectRecord } : {}),
  };
  const configStreamingOnly = config.topics.filter((t) => t.mode === 'streaming-only').map((t) => t.name);
  const options: EmulatorOptions = {
    host: flags.host,
    port: flags.port,
    tenants: [tenant],
    topics,
    limits: {
      enabled: flags.limits,
      maxRequestsPerSecond: flags.maxRequestsPerSecond ?? config.limits.maxRequestsPerSecond,
      maxRecordsPerSecond: flags.maxRecordsPerSecond ?? config.limits.maxRecordsPerSecond,
    },
    ...optional('rateLimitAnswer', flags.rateLimitAnswer),
    ...optional('authFailureAnswer', flags.authFailureAnswer),
    ...optional('requestIdRetentionMs', flags.requestIdRetentionSeconds === undefined ? undefined : flags.requestIdRetentionSeconds * 1000),
    ...optional('volcSkewSeconds', flags.volcSkewSeconds),
    ...optional('airSkewSeconds', flags.airSkewSeconds),
    strictOrdering: flags.strictOrdering === true,
    streamingOnlyTopics: (flags.streamingOnlyTopics ?? configStreamingOnly).filter((t) => flags.streamingOnlyTopics !== undefined || topicNames.includes(t)),
    dateZone: flags.dateZone ?? config.dateZone,
    clock,
    faults,
  };
  return {
    options,
    tenant,
    sources: { tenantId: tenantSource, applicationId: appSource, ak: akSource, sk: skSource, token: tokenSource },
    clockDescription: description,
    outage: flags.outageSeconds === undefined ? undefined : { afterSeconds: flags.outageAfter, seconds: flags.outageSeconds, mode: flags.outageMode },
    storm: flags.stormSeconds === undefined ? undefined : { afterSeconds: flags.stormAfter, seconds: flags.stormSeconds },
    frontDoorPriority: flags.frontDoorPriority !== false,
  };
}
