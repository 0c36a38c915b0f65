import { ByteairSyncError } from '../errors/byteair-sync-error.js';
import { describeValue, InvalidInputError } from '../errors/invalid-input-error.js';
import { IdempotencyKeyReusedError, IntakeFullError } from '../streaming/intake-errors.js';
import { isRedisOutage } from '../redis/redis-outage.js';
import { IngestBusyError, InvalidLineError, MalformedBodyError, RedisUnreachableError } from './ingest-errors.js';

/** How long a caller should wait after a full intake: the batcher drains it in full-size chunks. */
export const INTAKE_FULL_RETRY_AFTER_SECONDS = 10;
/** After a busy answer: bodies in flight are parsed in well under a second each. */
export const INGEST_BUSY_RETRY_AFTER_SECONDS = 1;
/** After a Redis outage: long enough for a restart or failover, short enough to catch up soon. */
export const REDIS_RETRY_AFTER_SECONDS = 5;

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly field?: string;
    readonly value?: string | number | boolean | null;
    readonly line?: number;
    readonly column?: number;
    readonly [detail: string]: unknown;
  };
}

export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ErrorBody;
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  INVALID_INPUT: 400,
  MALFORMED_BODY: 400,
  NOT_FOUND: 404,
  BATCH_NOT_FOUND: 404,
  BATCH_CLOSED: 409,
  BATCH_EMPTY: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_ENCODING: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  INTAKE_FULL: 503,
  INGEST_BUSY: 503,
  REDIS_UNAVAILABLE: 503,
};

/**
 * The one place an error becomes an HTTP answer: `{error: {code, message, field?, value?, ...}}`.
 * Expected errors keep their stable code and their message (which never holds a secret);
 * anything else is a 500 whose message says nothing about internals; the server logs it.
 */
export function errorAnswer(raw: unknown): ErrorAnswer {
  const error = !(raw instanceof ByteairSyncError) && isRedisOutage(raw) ? new RedisUnreachableError({ cause: raw }) : raw;
  if (!(error instanceof ByteairSyncError) || STATUS_BY_CODE[error.code] === undefined) {
    return {
      status: 500,
      headers: {},
      body: { error: { code: 'INTERNAL', message: 'the ingest server failed on this request; see its log. Retrying the same request is safe for batches.' } },
    };
  }
  const status = STATUS_BY_CODE[error.code] ?? 500;
  return { status, headers: headersFor(error), body: { error: { code: error.code, message: error.message, ...detailsOf(error) } } };
}

function headersFor(error: ByteairSyncError): Record<string, string> {
  if (error.code === 'AUTH_REQUIRED') return { 'WWW-Authenticate': 'Bearer realm="byteair-ingest"' };
  if (error.code === 'AUTH_INVALID') return { 'WWW-Authenticate': 'Bearer realm="byteair-ingest", error="invalid_token"' };
  if (error instanceof IntakeFullError) return { 'Retry-After': String(INTAKE_FULL_RETRY_AFTER_SECONDS) };
  if (error instanceof RedisUnreachableError) return { 'Retry-After': String(REDIS_RETRY_AFTER_SECONDS) };
  if (error instanceof IngestBusyError) return { 'Retry-After': String(INGEST_BUSY_RETRY_AFTER_SECONDS) };
  return {};
}

/** The structured part of an answer; `value` is always a short rendering, never a record. */
function detailsOf(error: ByteairSyncError): Record<string, unknown> {
  if (error instanceof InvalidInputError) {
    return { field: error.field, value: shownValue(error.value), ...(error instanceof InvalidLineError ? { line: error.line } : {}) };
  }
  if (error instanceof MalformedBodyError)
    return { ...(error.line === undefined ? {} : { line: error.line }), ...(error.column === undefined ? {} : { column: error.column }) };
  if (error instanceof IntakeFullError) return { topic: error.topic, accepted: error.accepted, retryAfterSeconds: INTAKE_FULL_RETRY_AFTER_SECONDS };
  if (error instanceof IdempotencyKeyReusedError) return { field: 'Idempotency-Key', value: shownValue(error.idempotencyKey), accepted: error.accepted };
  if (error instanceof RedisUnreachableError) return { retryAfterSeconds: REDIS_RETRY_AFTER_SECONDS };
  if (error instanceof IngestBusyError) return { limit: error.limit, retryAfterSeconds: INGEST_BUSY_RETRY_AFTER_SECONDS };
  const { batchId, state, limit } = error.details;
  return { ...(batchId === undefined ? {} : { batch: batchId }), ...(state === undefined ? {} : { state }), ...(limit === undefined ? {} : { limit }) };
}

/** JSON scalars as they are (long strings cut), anything else as a short description. */
function shownValue(value: unknown): string | number | boolean | null {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return describeValue(value);
}
