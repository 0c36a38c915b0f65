import type { Arrival } from './arrival-log.js';
import { ByteairSyncError } from '../errors/byteair-sync-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { EmulatorStats } from './emulator-stats.js';
import type { Faults } from './faults.js';
import { queryValue } from './request-route.js';

export type OutageMode = 'refuse' | '503' | 'reset';
export const OUTAGE_MODES: readonly OutageMode[] = ['refuse', '503', 'reset'];

/** What the admin endpoint may do to a running emulator (the TS API, minus close). */
export interface AdminTarget {
  stats(): EmulatorStats;
  ledger(topic: string): ReadonlyMap<string, number>;
  arrivals(): readonly Arrival[];
  faults(): Faults;
  setFaults(patch: unknown): Faults;
  scheduleOutage(seconds: number, mode?: OutageMode): Promise<unknown>;
  startStorm(seconds: number): unknown;
  reset(): Promise<void>;
  health(): Record<string, unknown>;
}

export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Run once the answer has been handed to the socket. */
  readonly after?: () => void;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidInputError('body', body.toString('utf8', 0, 80), 'must be JSON');
  }
}

function objectBody(body: Buffer): Record<string, unknown> {
  const parsed = parseJson(body);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidInputError('body', parsed, 'must be a JSON object');
  return parsed as Record<string, unknown>;
}

function seconds(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 86_400) {
    throw new InvalidInputError('seconds', value, 'must be a number of seconds above 0 and at most 86400');
  }
  return value;
}

function outageMode(value: unknown): OutageMode {
  if (value === undefined) return 'refuse';
  if (typeof value !== 'string' || !(OUTAGE_MODES as readonly string[]).includes(value)) {
    throw new InvalidInputError('mode', value, `must be one of ${OUTAGE_MODES.join(', ')}`);
  }
  return value as OutageMode;
}

async function route(action: string, method: string, query: ReadonlyArray<readonly [string, string]>, body: Buffer, target: AdminTarget): Promise<AdminAnswer> {
  const key = `${method} ${action.replace(/\/$/, '')}`;
  switch (key) {
    case 'GET health':
      return { status: 200, body: target.health() };
    case 'GET stats':
      return { status: 200, body: target.stats() };
    case 'GET arrivals':
      return { status: 200, body: { arrivals: target.arrivals() } };
    case 'GET ledger': {
      const topic = queryValue(query, 'topic') ?? '';
      const onlyDuplicates = queryValue(query, 'duplicates') === '1';
      const ids = [...target.ledger(topic)].filter(([, count]) => !onlyDuplicates || count > 1);
      return { status: 200, body: { topic, ...target.stats().topics[topic], ids: Object.fromEntries(ids) } };
    }
    case 'GET faults':
      return { status: 200, body: target.faults() };
    case 'POST faults':
      return { status: 200, body: target.setFaults(objectBody(body)) };
    case 'POST outage': {
      const request = objectBody(body);
      const mode = outageMode(request.mode);
      const duration = seconds(request.seconds);
      // A 'refuse' outage closes this very socket: the answer goes out first, then the server goes down.
      return { status: 202, body: { outage: { mode, seconds: duration } }, after: () => void target.scheduleOutage(duration, mode).catch(() => undefined) };
    }
    case 'POST storm': {
      const duration = seconds(objectBody(body).seconds);
      target.startStorm(duration);
      return { status: 200, body: { storm: { seconds: duration } } };
    }
    case 'POST reset':
      await target.reset();
      return { status: 200, body: { reset: true } };
    default:
      return { status: 404, body: { error: { code: 'NOT_FOUND', message: `no admin endpoint ${method} /__emulator/${action}` } } };
  }
}

/**
 * The admin endpoint under /__emulator/: GET health, stats, ledger?topic=[&duplicates=1],
 * faults; POST faults (JSON merge), outage {seconds, mode}, storm {seconds}, reset.
 * Bad input answers 400 with the error's code and message.
 */
export async function handleAdmin(action: string, method: string, query: ReadonlyArray<readonly [string, string]>, body: Buffer, target: AdminTarget): Promise<AdminAnswer> {
  try {
    return await route(action, method, query, body, target);
  } catch (error) {
    if (error instanceof ByteairSyncError) return { status: 400, body: { error: { code: error.code, message: error.message } } };
    throw error;
  }
}
