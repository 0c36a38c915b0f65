import { gunzipSync } from 'node:zlib';
import {
  AuthRejectedError,
  RateLimitedError,
  RequestRejectedError,
  StageRejectedError,
  UnexpectedAnswerError,
  UpstreamUnavailableError,
} from './api-errors.js';
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

/** Up to 120 characters of a body, printable, for a reason an operator reads. */
export function bodyExcerpt(body: Buffer): string {
  if (body.length === 0) return 'no body';
  const text = body
    .toString('utf8', 0, 240)
    .replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return `body ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text)} (${body.length} bytes)`;
}

function unzipIfNeeded(raw: RawResponse): Buffer {
  const gzipMagic = raw.body.length >= 2 && raw.body[0] === 0x1f && raw.body[1] === 0x8b;
  if (header(raw, 'content-encoding')?.toLowerCase() === 'gzip' || gzipMagic) {
    try {
      return gunzipSync(raw.body);
    } catch (error) {
      throw new UnexpectedAnswerError(
        'undecodable-body',
        `API answered HTTP 200 with a body that is not valid gzip: ${bodyExcerpt(raw.body)}`,
        {},
        { cause: error },
      );
    }
  }
  return raw.body;
}

function isJson(raw: RawResponse, body: Buffer): boolean {
  const type = header(raw, 'content-type')?.toLowerCase() ?? '';
  return type.includes('json') || (body.length > 0 && body[0] === 0x7b);
}

/**
 * The documented JSON shape is `{"status":{"code":0,"message":"OK"}}` (no `success` field, and
 * the docs count an absent code as 0), so for JSON a status with code 0 or none and no
 * explicit `success: false` counts as success. An object without a status, or a status whose
 * fields have other types, is an answer the protocol does not define.
 */
function decodeJson(body: Buffer): WriteResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new UnexpectedAnswerError(
      'undecodable-body',
      `API answered HTTP 200 with a body that is neither protobuf nor JSON: ${bodyExcerpt(body)}`,
      {},
      { cause: error },
    );
  }
  const object = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const status = typeof object.status === 'object' && object.status !== null ? (object.status as Record<string, unknown>) : undefined;
  const wrongType = (field: string, type: string): boolean => status !== undefined && status[field] !== undefined && typeof status[field] !== type;
  if (status === undefined || wrongType('code', 'number') || wrongType('message', 'string') || wrongType('success', 'boolean')) {
    throw new UnexpectedAnswerError(
      'no-status',
      `API answered JSON without a status of {code: number, message: string, success?: boolean}: ${bodyExcerpt(body)}`,
    );
  }
  const code = typeof status.code === 'number' ? status.code : STATUS_OK;
  const message = typeof status.message === 'string' ? status.message : '';
  const success = typeof status.success === 'boolean' ? status.success : code === STATUS_OK;
  const errors: DataError[] = Array.isArray(object.errors)
    ? object.errors.map((e: unknown) => {
        const item = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
        return {
          message: typeof item.message === 'string' ? item.message : '',
          data: typeof item.data === 'string' ? item.data : JSON.stringify(item.data ?? null),
        };
      })
    : [];
  return { status: { code, message, success }, errors };
}

function decodeBody(kind: 'write' | 'done', raw: RawResponse): WriteResponse {
  const body = unzipIfNeeded(raw);
  if (body.length === 0) {
    // An empty protobuf decodes to code 0 / success=false: never a success (protocol §5).
    throw new UnexpectedAnswerError('empty-body', 'API answered HTTP 200 with an empty body');
  }
  if (isJson(raw, body)) return decodeJson(body);
  try {
    return kind === 'write' ? decodeWriteResponse(body) : { ...decodeDoneResponse(body), errors: [] };
  } catch (error) {
    throw new UnexpectedAnswerError(
      'undecodable-body',
      `API answered HTTP 200 with a body that is not a ${kind === 'write' ? 'WriteResponse' : 'DoneResponse'}: ${bodyExcerpt(body)}`,
      {},
      { cause: error },
    );
  }
}

/**
 * Only 200 carries an answer of the protocol. 429 slows everyone down, 401/403 are the
 * credentials, 5xx and 408 say the server (or its front) may answer later and feed the circuit;
 * anything else (a gateway's 404 or 413, a redirect) comes back the same on every try.
 */
function throwForHttpStatus(raw: RawResponse, now: number): void {
  if (raw.httpStatus === 200) return;
  const retryAfterMs = parseRetryAfter(header(raw, 'retry-after'), now);
  const what = `HTTP ${raw.httpStatus}${raw.statusMessage ? ` ${raw.statusMessage}` : ''}`;
  const httpStatus = raw.httpStatus;
  if (httpStatus === 429) throw new RateLimitedError(retryAfterMs, `API asked to slow down (${what})`, { httpStatus });
  if (httpStatus === 401 || httpStatus === 403) throw new AuthRejectedError(`API refused the credentials (${what})`, { httpStatus });
  if (httpStatus >= 500 && httpStatus < 600) throw new UpstreamUnavailableError('server-error', `API answered ${what}`, retryAfterMs, { httpStatus });
  if (httpStatus === 408) throw new UpstreamUnavailableError('timeout', `API answered ${what}`, retryAfterMs, { httpStatus });
  throw new UnexpectedAnswerError('http-status', `API answered ${what}: ${bodyExcerpt(raw.body)}`, { httpStatus });
}

/**
 * Maps a status that is not a success onto the error taxonomy. The code decides, not the
 * `success` flag: the SDKs test only `success`, but a code other than 0 with success=true is
 * not an answer the protocol defines, and taking it as "accepted" would drop the records if
 * the server did not apply them. Retried under the same Request-Id it costs nothing if it did
 * (409 then). See docs/protocol-notes.md.
 */
function throwForStatus(status: Status, raw: RawResponse, now: number): never {
  const { code, message, success } = status;
  const retryAfterMs = parseRetryAfter(header(raw, 'retry-after'), now);
  if (code === STATUS_TOO_MANY_REQUESTS) throw new RateLimitedError(retryAfterMs, `API asked to slow down (status 429: ${message})`, { statusCode: code });
  if (code === 401 || code === 403) throw new AuthRejectedError(`API refused the credentials (status ${code}: ${message})`, { statusCode: code });
  if (code === 400) throw new StageRejectedError(message);
  if (code >= 500 && code < 600)
    throw new UpstreamUnavailableError('server-error', `API failed (status ${code}: ${message})`, retryAfterMs, { statusCode: code });
  if (code === 408) throw new UpstreamUnavailableError('timeout', `API timed out (status 408: ${message})`, retryAfterMs, { statusCode: code });
  if (code >= 400 && code < 500) throw new RequestRejectedError(code, message);
  if (code === STATUS_OK)
    throw new UnexpectedAnswerError('not-success', `API answered status 0 without success=true (${message || 'no message'})`, { statusCode: code });
  throw new UnexpectedAnswerError('unknown-code', `API answered an undefined status ${code} with success=${String(success)} (${message || 'no message'})`, {
    statusCode: code,
  });
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
