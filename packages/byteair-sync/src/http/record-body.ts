import { InvalidInputError } from '../errors/invalid-input-error.js';
import { serializeRecord } from '../validation/json-record.js';
import { describeJsonSyntaxError } from '../validation/json-syntax-error.js';
import type { BodyFormat } from './body-format.js';
import { InvalidLineError, MalformedBodyError } from './ingest-errors.js';
import { jsonErrorPosition } from './json-error-position.js';
import { isJsonSpace, valueExtent, type ExtentLimits } from './json-value-extent.js';
import { TimeSlice } from './time-slice.js';

export type JsonObject = Record<string, unknown>;

/** The records of a request body, every one already checked. */
export interface RecordBody {
  readonly count: number;
  /**
   * The records, in order. Each call parses the body again, one record at a time, so handing
   * them on costs no more memory than the body itself.
   */
  records(): Iterable<JsonObject> | AsyncIterable<JsonObject>;
}

export interface RecordBodyOptions {
  /** Largest serialized record: one that cannot fit in an upload request is refused here. */
  readonly maxRecordBytes: number;
  /** A JSON body may be a single object instead of an array (streaming pushes). */
  readonly allowSingleObject: boolean;
}

/**
 * Bounds on one record, checked by scanning before it is parsed, so what parsing it may cost
 * is known first: a record nesting deeper than this, or holding more keys and values, is
 * refused. Real records are a few levels and at most some thousands of values.
 */
export const MAX_RECORD_DEPTH = 64;
export const MAX_RECORD_TOKENS = 100_000;
const RECORD_LIMITS: ExtentLimits = { maxDepth: MAX_RECORD_DEPTH, maxTokens: MAX_RECORD_TOKENS };
/** A value that is not a record is parsed, to say what it is, only when this short. */
const SHOWN_VALUE_BYTES = 4_096;

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Parses and checks the whole body before anything is handed on, so a refused request has
 * taken nothing. The body is never decoded or parsed whole: each record is found in the
 * bytes, refused at its first byte if it is not an object, bounded (MAX_RECORD_DEPTH,
 * MAX_RECORD_TOKENS), then decoded and parsed alone. The work gives the event loop a turn
 * every few milliseconds. Errors name the record (`records[3].price`), and for NDJSON the
 * line; they never quote the body.
 */
export async function parseRecordBody(body: Buffer, format: BodyFormat, options: RecordBodyOptions): Promise<RecordBody> {
  const records = format === 'json' ? jsonRecords(body, options) : ndjsonRecords(body, options);
  let count = 0;
  for await (const _record of records()) count += 1;
  if (count === 0) throw new InvalidInputError('records', '0 records', 'is empty; send at least one record');
  return { count, records };
}

type Records = () => Iterable<JsonObject> | AsyncIterable<JsonObject>;

function jsonRecords(body: Buffer, options: RecordBodyOptions): Records {
  const open = skipSpace(body, startOf(body));
  if (open === body.length) throw malformedAt(body, open, 'unexpected end of input');
  if (body[open] !== OPEN_BRACKET) {
    if (!options.allowSingleObject || body[open] !== OPEN_BRACE) {
      throw new InvalidInputError(
        'records',
        shapeAt(body, open),
        `must be a JSON array of record objects${options.allowSingleObject ? ' or one record object' : ''} (or send application/x-ndjson, one object per line)`,
      );
    }
    return function* one() {
      const { record, end } = recordAt(body, open, 'record', options);
      endOfBody(body, end);
      yield record;
    };
  }
  return async function* many() {
    const slice = new TimeSlice();
    let i = skipSpace(body, open + 1);
    if (body[i] === CLOSE_BRACKET) {
      endOfBody(body, i + 1);
      return;
    }
    for (let index = 0; ; index += 1) {
      if (i >= body.length) throw malformedAt(body, i, 'unexpected end of input');
      const { record, end } = recordAt(body, i, `records[${index}]`, options);
      yield record;
      if (slice.due()) await slice.pause();
      i = skipSpace(body, end);
      const separator = body[i];
      if (separator === CLOSE_BRACKET) {
        endOfBody(body, i + 1);
        return;
      }
      if (separator !== COMMA) throw malformedAt(body, i, i >= body.length ? 'unexpected end of input' : 'expected "," or "]" after a record');
      i = skipSpace(body, i + 1);
    }
  };
}

function ndjsonRecords(body: Buffer, options: RecordBodyOptions): Records {
  return async function* records() {
    const slice = new TimeSlice();
    let index = 0;
    for (const { line, bytes } of lines(body)) {
      const field = `records[${index}]`;
      try {
        const start = skipSpace(bytes, 0);
        const { record, end } = recordAt(bytes, start, field, options);
        const rest = skipSpace(bytes, end);
        if (rest !== bytes.length) throw malformedAt(bytes, rest, 'unexpected text after the record');
        yield record;
      } catch (error) {
        if (error instanceof InvalidInputError) throw new InvalidLineError(line, error);
        if (error instanceof MalformedBodyError) throw new MalformedBodyError(error.reason, line, error.column);
        throw error;
      }
      index += 1;
      if (slice.due()) await slice.pause();
    }
  };
}

/**
 * The record whose bytes start at `start`: refused by its first byte unless it is an
 * object, then scanned for its bounds, then decoded, parsed alone and checked.
 */
function recordAt(bytes: Uint8Array, start: number, field: string, options: RecordBodyOptions): { record: JsonObject; end: number } {
  if (bytes[start] !== OPEN_BRACE) throw new InvalidInputError(field, shapeAt(bytes, start), 'must be a JSON object (one record)');
  const extent = valueExtent(bytes, start, RECORD_LIMITS);
  switch (extent.kind) {
    case 'too-deep':
      throw new InvalidInputError(field, `more than ${MAX_RECORD_DEPTH} levels`, `nests deeper than a record may (${MAX_RECORD_DEPTH} levels)`);
    case 'too-many-tokens':
      throw new InvalidInputError(
        field,
        `more than ${MAX_RECORD_TOKENS} keys and values`,
        `holds more keys and values than a record may (${MAX_RECORD_TOKENS})`,
      );
    case 'unterminated':
      throw malformedAt(bytes, extent.end, 'unexpected end of input');
    case 'value':
      break;
  }
  const record = parseAt(bytes, start, extent.end);
  checkRecord(record, field, options.maxRecordBytes);
  return { record: record as JsonObject, end: extent.end };
}

/** JSON.parse of bytes[start, end), its errors placed in the whole body. */
function parseAt(bytes: Uint8Array, start: number, end: number): unknown {
  const part = decode(bytes.subarray(start, end));
  try {
    return JSON.parse(part);
  } catch (error) {
    const inPart = jsonErrorPosition(part)?.offset ?? part.length;
    throw malformedAt(bytes, start + Buffer.byteLength(part.slice(0, inPart)), describeJsonSyntaxError(error, part).reason);
  }
}

/**
 * What a value that is not a record is, for the error: a short one parsed (so the answer
 * says "an array of 2 item(s)" or quotes the scalar), a long one by its first byte only.
 */
function shapeAt(bytes: Uint8Array, start: number): unknown {
  const extent = valueExtent(bytes, start, { maxDepth: MAX_RECORD_DEPTH, maxTokens: SHOWN_VALUE_BYTES });
  if (extent.kind === 'value' && extent.end - start <= SHOWN_VALUE_BYTES) return shapeOf(parseAt(bytes, start, extent.end));
  const kind = bytes[start] === OPEN_BRACKET ? 'an array' : bytes[start] === QUOTE ? 'a string' : 'a value';
  return `${kind} of more than ${SHOWN_VALUE_BYTES} bytes`;
}

/** Where the JSON starts: after a UTF-8 byte-order mark, which a decoder would drop too. */
function startOf(body: Uint8Array): number {
  return BOM.every((byte, i) => body[i] === byte) ? BOM.length : 0;
}

function endOfBody(bytes: Uint8Array, end: number): void {
  const rest = skipSpace(bytes, end);
  if (rest !== bytes.length) throw malformedAt(bytes, rest, 'unexpected text after the JSON value');
}

function skipSpace(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i < bytes.length && isJsonSpace(bytes[i] ?? -1)) i += 1;
  return i;
}

/**
 * The error for the byte at `offset`, placed as an editor shows it: line from 1, column in
 * characters (UTF-16 units, as JSON.parse and the old whole-text scan counted) from 1.
 */
function malformedAt(bytes: Uint8Array, offset: number, reason: string): MalformedBodyError {
  let line = 1;
  let lineStart = 0;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = buffer.indexOf(NEWLINE); i !== -1 && i < offset; i = buffer.indexOf(NEWLINE, i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  const before = buffer.subarray(lineStart === 0 ? startOf(bytes) : lineStart, offset).toString('utf8');
  return new MalformedBodyError(`is not valid JSON (${reason})`, line, before.length + 1);
}

/** Non-blank lines, numbered from 1 as an editor shows them, as bytes (a byte-order mark dropped). */
function* lines(body: Buffer): Generator<{ line: number; bytes: Buffer }> {
  let start = startOf(body);
  for (let line = 1; start < body.length; line += 1) {
    const newline = body.indexOf(NEWLINE, start);
    const end = newline === -1 ? body.length : newline;
    const bytes = body.subarray(start, end);
    if (skipSpace(bytes, 0) !== bytes.length) yield { line, bytes };
    start = end + 1;
  }
}

/** An NDJSON caller adds the line to the error (ndjsonRecords). */
function decode(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new MalformedBodyError('is not valid UTF-8');
  }
}

function checkRecord(record: unknown, field: string, maxRecordBytes: number): void {
  if (!isObject(record)) throw new InvalidInputError(field, shapeOf(record), 'must be a JSON object (one record)');
  const bytes = Buffer.byteLength(serializeRecord(record, field));
  // +2: the brackets of the smallest request, a chunk of this record alone.
  if (bytes + 2 > maxRecordBytes)
    throw new InvalidInputError(field, `${bytes} bytes`, `is larger than one upload request may carry (BYTEAIR_MAX_REQUEST_BYTES=${maxRecordBytes})`);
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * What a wrong-shaped value was, for the error: scalars as they are, containers only by
 * their size, so an error answer never carries a whole record back.
 */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return `an array of ${value.length} item(s)`;
  if (isObject(value)) return `an object with ${Object.keys(value).length} key(s)`;
  return value;
}
