import { promisify } from 'node:util';
import { gzip as gzipCallback, gzipSync } from 'node:zlib';
import { encodeDoneResponse, encodeWriteResponse, type DataError, type Status } from 'byteair-sync/internal/src/byteair/messages.js';

const gzip = promisify(gzipCallback);

/** What the API says to one write or done call, before serialization. */
export interface ApiAnswer {
  readonly call: 'write' | 'done';
  /** 200 except for refusals told as HTTP statuses (`http` answer modes). */
  readonly httpStatus: number;
  readonly status: Status;
  readonly errors: readonly DataError[];
  /** Sent as Retry-After (429 and outages). */
  readonly retryAfterSeconds?: number;
}

const STATUS_PARTIAL = 1001;

/** Success always carries success=true: the SDK samples test it, not the code (protocol §5). */
export function okAnswer(call: 'write' | 'done'): ApiAnswer {
  return { call, httpStatus: 200, status: { code: 0, message: 'OK', success: true }, errors: [] };
}

export function partialAnswer(errors: readonly DataError[]): ApiAnswer {
  return { call: 'write', httpStatus: 200, status: { code: STATUS_PARTIAL, message: 'partial data failed', success: false }, errors };
}

export function refusal(call: 'write' | 'done', code: number, message: string, options: { http?: boolean; retryAfterSeconds?: number } = {}): ApiAnswer {
  return {
    call,
    httpStatus: options.http === true ? code : 200,
    status: { code, message, success: false },
    errors: [],
    ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
  };
}

/**
 * Accept picks the serialization; without a usable Accept the request's own Content-Type
 * decides [D:108561]. Everything that is not JSON is protobuf, which is what SDKs read.
 */
function answerFormat(accept: string | undefined, contentType: string | undefined): 'json' | 'protobuf' {
  const a = (accept ?? '').toLowerCase();
  if (a.includes('protobuf')) return 'protobuf';
  if (a.includes('json')) return 'json';
  return (contentType ?? '').toLowerCase().includes('json') ? 'json' : 'protobuf';
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [name, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (name !== 'gzip' && name !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function jsonBody(answer: ApiAnswer): Buffer {
  const body = answer.call === 'write' ? { status: answer.status, errors: answer.errors } : { status: answer.status };
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** Gzip when the client accepts it; small answers synchronously (cheaper than a thread hop). */
export async function encodeAnswer(
  answer: ApiAnswer,
  request: { accept: string | undefined; contentType: string | undefined; acceptEncoding: string | undefined },
): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const format = answerFormat(request.accept, request.contentType);
  const plain =
    format === 'json'
      ? jsonBody(answer)
      : answer.call === 'write'
        ? encodeWriteResponse({ status: answer.status, errors: answer.errors })
        : encodeDoneResponse({ status: answer.status });
  const headers: Record<string, string> = { 'Content-Type': format === 'json' ? 'application/json' : 'application/x-protobuf' };
  if (answer.retryAfterSeconds !== undefined) headers['Retry-After'] = String(answer.retryAfterSeconds);
  if (!acceptsGzip(request.acceptEncoding)) return { headers, body: plain };
  headers['Content-Encoding'] = 'gzip';
  return { headers, body: plain.length < 16 * 1024 ? gzipSync(plain) : await gzip(plain) };
}
