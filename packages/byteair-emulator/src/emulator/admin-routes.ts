import type { Arrival } from './arrival-log.js';
import { ByteairSyncError } from 'byteair-sync/internal/src/errors/byteair-sync-error.js';
import { InvalidInputError } from 'byteair-sync/internal/src/errors/invalid-input-error.js';
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

export type AdminAnswer = {
  readonly status: number;
  /** Run once the answer has been handed to the socket. */
  readonly after?: () => void;
} & (
  | { readonly body: unknown }
  /** A JSON answer too large to build at once (a ledger of millions of ids): its text in pieces. */
  | { readonly pieces: AsyncIterable<string> }
);

/** Ledger ids per piece: ~3 ms of work here, the longest the stamping thread waits on this route. */
const LEDGER_PIECE_IDS = 2_000;

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
      return { status: 200, pieces: ledgerJson({ topic, ...target.stats().topics[topic] }, target.ledger(topic), onlyDuplicates) };
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
 * The JSON of `{...head, ids: {id: count, ...}}`, a few thousand ids per piece with the event
 * loop free in between: built whole, the ids of a 300 000-record topic held the thread that
 * stamps arrivals for 370-460 ms, and requests arriving meanwhile were stamped late. The ids
 * are those the ledger held when asked (it only grows at its end; their counts may rise meanwhile).
 */
async function* ledgerJson(head: object, ledger: ReadonlyMap<string, number>, onlyDuplicates: boolean): AsyncGenerator<string> {
  const open = JSON.stringify(head);
  yield `${open.slice(0, -1)}${open === '{}' ? '' : ','}"ids":{`;
  const size = ledger.size;
  let seen = 0;
  let piece: string[] = [];
  let first = true;
  for (const [id, count] of ledger) {
    if (seen === size) break;
    seen += 1;
    if (onlyDuplicates && count < 2) continue;
    piece.push(`${JSON.stringify(id)}:${count}`);
    if (piece.length === LEDGER_PIECE_IDS) {
      yield `${first ? '' : ','}${piece.join(',')}`;
      first = false;
      piece = [];
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  yield `${first || piece.length === 0 ? '' : ','}${piece.join(',')}}}`;
}

/**
 * The admin endpoint under /__emulator/: GET health, stats, ledger?topic=[&duplicates=1],
 * faults; POST faults (JSON merge), outage {seconds, mode}, storm {seconds}, reset.
 * Bad input answers 400 with the error's code and message.
 */
export async function handleAdmin(
  action: string,
  method: string,
  query: ReadonlyArray<readonly [string, string]>,
  body: Buffer,
  target: AdminTarget,
): Promise<AdminAnswer> {
  try {
    return await route(action, method, query, body, target);
  } catch (error) {
    if (error instanceof ByteairSyncError) return { status: 400, body: { error: { code: error.code, message: error.message } } };
    throw error;
  }
}
