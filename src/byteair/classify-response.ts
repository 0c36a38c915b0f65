import { gunzipSync } from 'node:zlib';
import { AuthRejectedError, RateLimitedError, RequestRejectedError, StageRejectedError, UpstreamUnavailableError } from './api-errors.js';
import type { DoneResult, WriteResult } from './api-result.js';
import { decodeDoneResponse, decodeWriteResponse, type DataError, type Status, type WriteResponse } from './messages.js';
import { parseRetryAfter } from './retry-after.js';

/** What came back over HTTP, before interpretation. */
export interface RawResponse {
  readonly httpStatus: number;
  readonly statusMessage?: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body as received (possibly gzip). */
  readonly body: Buffer;
}

export const STATUS_OK = 0;
export const STATUS_PARTIAL = 1001;
export const STATUS_DUPLICATE = 409;
export const STATUS_TOO_MANY_REQUESTS = 429;

function header(raw: RawResponse, name: string): string | undefined {
  const value = raw.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value as readonly string[])[0] : (value as string | undefined);
}

function unzipIfNeeded(raw: RawResponse): Buffer {
  const gzipMagic = raw.body.length >= 2 && raw.body[0] === 0x1f && raw.body[1] === 0x8b;
  if (header(raw, 'content-encoding')?.toLowerCase() === 'gzip' || gzipMagic) {
    try {
      return gunzipSync(raw.body);
    } catch (error) {
      throw new UpstreamUnavailableError('invalid-response', 'response body is not valid gzip', undefined, {}, { cause: error });
    }
  }
  return raw.body;
}

function isJson(raw: RawResponse, body: Buffer): boolean {
  const type = header(raw, 'content-type')?.toLowerCase() ?? '';
  return type.includes('json') || (body.length > 0 && body[0] === 0x7b);
}

/**
 * The documented JSON shape is `{"status":{"code":0,"message":"OK"}}` (no `success` field),
 * so for JSON a status with code 0 and no explicit `success: false` counts as success; an
 * object without a status does not.
 */
function decodeJson(body: Buffer): WriteResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new UpstreamUnavailableError('invalid-response', 'response body is neither protobuf nor JSON', undefined, {}, { cause: error });
  }
  const object = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const status = typeof object.status === 'object' && object.status !== null ? (object.status as Record<string, unknown>) : undefined;
  if (status === undefined) throw new UpstreamUnavailableError('invalid-response', 'JSON response has no status object');
  const code = typeof status.code === 'number' ? status.code : 0;
  const message = typeof status.message === 'string' ? status.message : '';
  const success = typeof status.success === 'boolean' ? status.success : code === STATUS_OK;
  const errors: DataError[] = Array.isArray(object.errors)
    ? object.errors.map((e: unknown) => {
        const item = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
        return { message: typeof item.message === 'string' ? item.message : '', data: typeof item.data === 'string' ? item.data : JSON.stringify(item.data ?? null) };
      })
    : [];
  return { status: { code, message, success }, errors };
}

function decodeBody(kind: 'write' | 'done', raw: RawResponse): WriteResponse {
  const body = unzipIfNeeded(raw);
  if (body.length === 0) {
    // An empty protobuf decodes to code 0 / success=false: never a success (protocol §5).
    throw new UpstreamUnavailableError('invalid-response', 'API answered HTTP 200 with an empty body');
  }
  if (isJson(raw, body)) return decodeJson(body);
  try {
    return kind === 'write' ? decodeWriteResponse(body) : { ...decodeDoneResponse(body), errors: [] };
  } catch (error) {
    throw new UpstreamUnavailableError('invalid-response', `response body is not a ${kind === 'write' ? 'WriteResponse' : 'DoneResponse'}`, undefined, {}, { cause: error });
  }
}

function throwForHttpStatus(raw: RawResponse, now: number): void {
  if (raw.httpStatus === 200) return;
  const retryAfterMs = parseRetryAfter(header(raw, 'retry-after'), now);
  const what = `HTTP ${raw.httpStatus}${raw.statusMessage ? ` ${raw.statusMessage}` : ''}`;
  if (raw.httpStatus === 429) throw new RateLimitedError(retryAfterMs, `API asked to slow down (${what})`, { httpStatus: 429 });
  if (raw.httpStatus === 401 || raw.httpStatus === 403) throw new AuthRejectedError(`API refused the credentials (${what})`, { httpStatus: raw.httpStatus });
  throw new UpstreamUnavailableError(raw.httpStatus >= 500 ? 'server-error' : 'http-status', `API answered ${what}`, retryAfterMs, { httpStatus: raw.httpStatus });
}

/** Maps a status that is not a success onto the error taxonomy. */
function throwForStatus(status: Status, raw: RawResponse, now: number): never {
  const { code, message } = status;
  const retryAfterMs = parseRetryAfter(header(raw, 'retry-after'), now);
  if (code === STATUS_TOO_MANY_REQUESTS) throw new RateLimitedError(retryAfterMs, `API asked to slow down (status 429: ${message})`, { statusCode: code });
  if (code === 401 || code === 403) throw new AuthRejectedError(`API refused the credentials (status ${code}: ${message})`, { statusCode: code });
  if (code === 400) throw new StageRejectedError(message);
  if (code >= 500 && code < 600) throw new UpstreamUnavailableError('server-error', `API failed (status ${code}: ${message})`, retryAfterMs, { statusCode: code });
  if (code >= 400 && code < 500) throw new RequestRejectedError(code, message);
  if (code === STATUS_OK) throw new UpstreamUnavailableError('invalid-response', `API answered status 0 without success=true (${message || 'no message'})`);
  throw new UpstreamUnavailableError('invalid-response', `API answered an unknown status ${code}: ${message}`, undefined, { statusCode: code });
}

export function classifyWriteResponse(raw: RawResponse, now: number): WriteResult {
  throwForHttpStatus(raw, now);
  const response = decodeBody('write', raw);
  const { status } = response;
  if (status.code === STATUS_OK && status.success) return { kind: 'accepted', status };
  if (status.code === STATUS_DUPLICATE) return { kind: 'duplicate', status };
  if (status.code === STATUS_PARTIAL) {
    return { kind: 'partial', status, rejected: response.errors.map((e) => ({ data: e.data, reason: e.message })) };
  }
  return throwForStatus(status, raw, now);
}

export function classifyDoneResponse(raw: RawResponse, now: number): DoneResult {
  throwForHttpStatus(raw, now);
  const { status } = decodeBody('done', raw);
  if (status.code === STATUS_OK && status.success) return { kind: 'accepted', status };
  if (status.code === STATUS_DUPLICATE) return { kind: 'duplicate', status };
  return throwForStatus(status, raw, now);
}
