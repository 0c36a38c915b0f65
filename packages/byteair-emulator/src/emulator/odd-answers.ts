import { gzipSync } from 'node:zlib';
import { encodeWriteResponse } from 'byteair-sync/internal/src/byteair/messages.js';
import { InvalidInputError } from 'byteair-sync/internal/src/errors/invalid-input-error.js';

/**
 * Answers a real ByteAir endpoint (or a gateway, load balancer or proxy in front of it) may
 * give that no SDK defines: the emulator gives one on demand, so a client can be shown to
 * reach a decision on each instead of waiting forever. `http-NNN` is any status 300-599
 * with a gateway's HTML page; the others are HTTP 200 with an odd body.
 */
export const ODD_BODIES = [
  /** HTTP 200, no body at all. */
  'empty-200',
  /** HTTP 200 with an HTML page (a captive portal, a misrouted path). */
  'html-200',
  /** HTTP 200, Content-Encoding gzip, bytes that are not gzip. */
  'bad-gzip-200',
  /** HTTP 200, JSON without a status object. */
  'json-without-status',
  /** Protobuf status code 0, success=false. */
  'code-0-not-success',
  /** Protobuf status code 2001 (defined nowhere), success=false. */
  'unknown-code',
  /** Protobuf status code 7, success=true: the SDKs would call it a success. */
  'nonzero-code-success',
] as const;

export type OddAnswer = (typeof ODD_BODIES)[number] | `http-${number}`;

const HTTP_PATTERN = /^http-([3-5]\d\d)$/;

export function isOddAnswer(value: unknown): value is OddAnswer {
  if (typeof value !== 'string') return false;
  return (ODD_BODIES as readonly string[]).includes(value) || HTTP_PATTERN.test(value);
}

export function parseOddAnswer(value: unknown, path: string): OddAnswer | null {
  if (value === null) return null;
  if (!isOddAnswer(value)) throw new InvalidInputError(path, value, `must be null, http-300 to http-599, or one of ${ODD_BODIES.join(', ')}`);
  return value;
}

export interface OddAnswerReply {
  readonly httpStatus: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const PROTOBUF = { 'Content-Type': 'application/x-protobuf' };

/** The bytes of one odd answer (the same for WriteData and Done: their status field is the same). */
export function oddAnswerReply(answer: OddAnswer): OddAnswerReply {
  const http = HTTP_PATTERN.exec(answer);
  if (http !== null) {
    const status = Number(http[1]);
    return {
      httpStatus: status,
      headers: { 'Content-Type': 'text/html' },
      body: Buffer.from(`<html><head><title>${status}</title></head><body><h1>${status}</h1><hr>gateway (emulated)</body></html>`),
    };
  }
  switch (answer as (typeof ODD_BODIES)[number]) {
    case 'empty-200':
      return { httpStatus: 200, headers: PROTOBUF, body: Buffer.alloc(0) };
    case 'html-200':
      return {
        httpStatus: 200,
        headers: { 'Content-Type': 'text/html' },
        body: Buffer.from('<html><body>Please log in to the network (emulated)</body></html>'),
      };
    case 'bad-gzip-200':
      return {
        httpStatus: 200,
        headers: { ...PROTOBUF, 'Content-Encoding': 'gzip' },
        body: Buffer.concat([gzipSync(Buffer.from('x')).subarray(0, 4), Buffer.from('not gzip')]),
      };
    case 'json-without-status':
      return { httpStatus: 200, headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"result":"ok"}') };
    case 'code-0-not-success':
      return { httpStatus: 200, headers: PROTOBUF, body: encodeWriteResponse({ status: { code: 0, message: 'OK', success: false }, errors: [] }) };
    case 'unknown-code':
      return {
        httpStatus: 200,
        headers: PROTOBUF,
        body: encodeWriteResponse({ status: { code: 2001, message: 'undefined state', success: false }, errors: [] }),
      };
    case 'nonzero-code-success':
      return { httpStatus: 200, headers: PROTOBUF, body: encodeWriteResponse({ status: { code: 7, message: 'odd', success: true }, errors: [] }) };
  }
}
