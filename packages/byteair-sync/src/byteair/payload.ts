import { gzipSync } from 'node:zlib';
import { encodeDoneRequest, type ProtoDate } from './messages.js';

/** gzip(JSON array): the WriteData body. Made once per chunk and stored; signatures cover these bytes. */
export function encodeWriteBody(records: readonly unknown[]): Buffer {
  return gzipSync(JSON.stringify(records));
}

/** gzip(JSON text of an array) when the caller already serialized it (e.g. chunking counts bytes). */
export function gzipJsonText(json: string): Buffer {
  return gzipSync(json);
}

/** `YYYY-MM-DD` (already validated) to the protobuf Date. */
export function toProtoDate(date: string): ProtoDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

export function formatProtoDate(date: ProtoDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** gzip(protobuf DoneRequest) for the given `YYYY-MM-DD` dates. */
export function encodeDoneBody(dates: readonly string[]): Buffer {
  return gzipSync(encodeDoneRequest(dates.map(toProtoDate)));
}
