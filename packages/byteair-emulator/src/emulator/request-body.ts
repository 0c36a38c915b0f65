import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gunzipSync } from 'node:zlib';
import { decodeDoneRequest } from 'byteair-sync/internal/src/byteair/messages.js';
import { parsePartitionDate, protoDateToIso } from './data-date.js';

const gunzip = promisify(gunzipCallback);

const GUNZIP_CHUNK_BYTES = 1024 * 1024;

/** Decompresses a gzip body; rejects when it is not valid gzip. */
export type Inflate = (gzipped: Buffer) => Promise<Buffer>;

/** On libuv's pool: for the main thread, which must stay free to stamp arrivals. */
export const inflateOffThread: Inflate = (gzipped) => gunzip(gzipped, { chunkSize: GUNZIP_CHUNK_BYTES });

/** On the calling thread: for a body worker, which exists to do this work (no round trips to libuv's pool). */
export const inflateOnThisThread: Inflate = (gzipped) => Promise.resolve().then(() => gunzipSync(gzipped, { chunkSize: GUNZIP_CHUNK_BYTES }));

/** Documented record cap per write [D:108601]; the message is the SDKs' own wording. */
const MAX_RECORDS_PER_REQUEST = 10_000;

/** Why a body is refused: `reason` is the stable stats key, `message` the answer text. */
export interface BodyProblem {
  readonly problem: true;
  readonly reason: string;
  readonly message: string;
}

export type JsonRecord = Readonly<Record<string, unknown>>;

function problem(reason: string, message: string): BodyProblem {
  return { problem: true, reason, message };
}

export function isBodyProblem(value: unknown): value is BodyProblem {
  return typeof value === 'object' && value !== null && (value as { problem?: unknown }).problem === true;
}

/**
 * The body without its Content-Encoding. An empty body stays empty whatever it declares:
 * the Java SDK sends 0 bytes with `Content-Encoding: gzip` for an empty Done (protocol §4).
 */
export async function decodeContent(body: Buffer, contentEncoding: string | undefined, inflate: Inflate = inflateOffThread): Promise<Buffer | BodyProblem> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (body.length === 0 || encoding === '' || encoding === 'identity') return body;
  if (encoding !== 'gzip') return problem('content-encoding', `Content-Encoding ${encoding} is not supported, use gzip`);
  try {
    // Large output chunks: each chunk is a round trip between the zlib thread and the event
    // loop, and the default 16 KiB makes a 10 000-record body cost hundreds of them.
    return await inflate(body);
  } catch {
    return problem('bad-gzip', 'the body is declared gzip but is not valid gzip');
  }
}

/** A write body: a JSON array of 1 to 10 000 objects. */
export function parseWriteRecords(body: Buffer): JsonRecord[] | BodyProblem {
  if (body.length === 0) return problem('empty', 'Data is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return problem('bad-json', 'Data is not valid JSON');
  }
  if (!Array.isArray(parsed)) return problem('not-array', 'Data must be a JSON array of records');
  if (parsed.length === 0) return problem('empty', 'Data is empty');
  if (parsed.length > MAX_RECORDS_PER_REQUEST) {
    return problem('too-many-records', `Only can receive max to ${MAX_RECORDS_PER_REQUEST} items in one request (got ${parsed.length})`);
  }
  for (let i = 0; i < parsed.length; i += 1) {
    const record: unknown = parsed[i];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return problem('not-object', `Data must be a JSON array of records: element ${i} is not a JSON object`);
    }
  }
  return parsed as JsonRecord[];
}

/**
 * The dates of a Done body, `YYYY-MM-DD`, de-duplicated in order; an empty list means "the
 * previous day". Protobuf DoneRequest (the SDK form) or the HTTP doc's JSON form
 * `[{"partition_date":"20210411"}]`, chosen by Content-Type, else by the first byte.
 */
export function parseDoneDates(body: Buffer, contentType: string | undefined): string[] | BodyProblem {
  if (body.length === 0) return [];
  const type = (contentType ?? '').toLowerCase();
  const looksJson = type.includes('json') || (!type.includes('protobuf') && /^\s*\[/.test(body.subarray(0, 16).toString('latin1')));
  return looksJson ? parseJsonDone(body) : parseProtobufDone(body);
}

function parseProtobufDone(body: Buffer): string[] | BodyProblem {
  let dates: Array<{ year: number; month: number; day: number }>;
  try {
    dates = decodeDoneRequest(body);
  } catch {
    return problem('bad-protobuf', 'the body is not a protobuf DoneRequest');
  }
  const out: string[] = [];
  for (const date of dates) {
    const iso = protoDateToIso(date);
    if (iso === undefined) return problem('bad-date', `DoneRequest date ${date.year}-${date.month}-${date.day} is not a valid date`);
    if (!out.includes(iso)) out.push(iso);
  }
  return out;
}

function parseJsonDone(body: Buffer): string[] | BodyProblem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return problem('bad-json', 'Data is not valid JSON');
  }
  if (!Array.isArray(parsed)) return problem('not-array', 'Data must be a JSON array of {"partition_date":"YYYYMMDD"}');
  const out: string[] = [];
  for (const element of parsed) {
    // Elements without partition_date are silently dropped, as documented [D:108602].
    if (typeof element !== 'object' || element === null || !('partition_date' in element)) continue;
    const raw: unknown = (element as { partition_date: unknown }).partition_date;
    const iso = typeof raw === 'string' ? parsePartitionDate(raw) : undefined;
    if (iso === undefined)
      return problem('bad-date', `parse partition_date(${typeof raw === 'string' ? raw : JSON.stringify(raw)}) error, format should be YYYYMMDD`);
    if (!out.includes(iso)) out.push(iso);
  }
  return out;
}
