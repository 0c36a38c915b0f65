import { gzipSync } from 'node:zlib';
import { encodeDoneResponse, encodeWriteResponse, type DataError } from 'byteair-sync/internal/src/byteair/messages.js';
import type { ScriptedReply } from './scripted-server.js';

/** Answers as the real API gives them: HTTP 200, protobuf body, `success` true only with code 0. */
const PROTOBUF = { 'content-type': 'application/x-protobuf' };

export function writeReply(
  code: number,
  message: string,
  errors: readonly DataError[] = [],
  options: { gzip?: boolean; headers?: Readonly<Record<string, string>> } = {},
): ScriptedReply {
  const body = encodeWriteResponse({ status: { code, message, success: code === 0 }, errors });
  const headers = { ...PROTOBUF, ...options.headers };
  return options.gzip === true
    ? { kind: 'respond', headers: { ...headers, 'content-encoding': 'gzip' }, body: gzipSync(body) }
    : { kind: 'respond', headers, body };
}

export function doneReply(code: number, message: string): ScriptedReply {
  return { kind: 'respond', headers: PROTOBUF, body: encodeDoneResponse({ status: { code, message, success: code === 0 } }) };
}

export const WRITE_OK = writeReply(0, 'OK');
export const DONE_OK = doneReply(0, 'OK');
