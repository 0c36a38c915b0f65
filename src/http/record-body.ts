import { InvalidInputError } from '../errors/invalid-input-error.js';
import { serializeRecord } from '../validation/json-record.js';
import { describeJsonSyntaxError } from '../validation/json-syntax-error.js';
import type { BodyFormat } from './body-format.js';
import { InvalidLineError, MalformedBodyError } from './ingest-errors.js';
import { jsonErrorPosition } from './json-error-position.js';

export type JsonObject = Record<string, unknown>;

/** The records of a request body, every one already checked. */
export interface RecordBody {
  readonly count: number;
  /**
   * The records, in order. For NDJSON each call parses the body again, one line at a time,
   * so handing them on costs no more memory than the body itself.
   */
  records(): Iterable<JsonObject>;
}

export interface RecordBodyOptions {
  /** Largest serialized record: one that cannot fit in an upload request is refused here. */
  readonly maxRecordBytes: number;
  /** A JSON body may be a single object instead of an array (streaming pushes). */
  readonly allowSingleObject: boolean;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NEWLINE = 0x0a;

/**
 * Parses and checks the whole body before anything is handed on, so a refused request has
 * taken nothing. Errors name the record (`records[3].price`), and for NDJSON the line; they
 * never quote the body.
 */
export function parseRecordBody(body: Buffer, format: BodyFormat, options: RecordBodyOptions): RecordBody {
  const parsed = format === 'json' ? parseJsonBody(body, options) : parseNdjsonBody(body, options);
  if (parsed.count === 0) throw new InvalidInputError('records', '0 records', 'is empty; send at least one record');
  return parsed;
}

function parseJsonBody(body: Buffer, options: RecordBodyOptions): RecordBody {
  const text = decode(body, undefined);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = jsonErrorPosition(text);
    throw new MalformedBodyError(`is not valid JSON (${describeJsonSyntaxError(error, text).reason})`, position?.line, position?.column);
  }
  if (!Array.isArray(value)) {
    if (options.allowSingleObject && isObject(value)) {
      checkRecord(value, 'record', options.maxRecordBytes);
      return { count: 1, records: () => [value] };
    }
    throw new InvalidInputError('records', shapeOf(value), `must be a JSON array of record objects${options.allowSingleObject ? ' or one record object' : ''} (or send application/x-ndjson, one object per line)`);
  }
  const records = value as unknown[];
  records.forEach((record, index) => checkRecord(record, `records[${index}]`, options.maxRecordBytes));
  return { count: records.length, records: () => records as JsonObject[] };
}

function parseNdjsonBody(body: Buffer, options: RecordBodyOptions): RecordBody {
  let count = 0;
  for (const { line, text } of lines(body)) {
    const record = parseLine(text, line);
    try {
      checkRecord(record, `records[${count}]`, options.maxRecordBytes);
    } catch (error) {
      throw error instanceof InvalidInputError ? new InvalidLineError(line, error) : error;
    }
    count += 1;
  }
  return {
    count,
    *records() {
      for (const { line, text } of lines(body)) yield parseLine(text, line) as JsonObject;
    },
  };
}

/** Non-blank lines, numbered from 1 as an editor shows them (the decoder drops a byte-order mark). */
function* lines(body: Buffer): Generator<{ line: number; text: string }> {
  let start = 0;
  for (let line = 1; start < body.length; line += 1) {
    const newline = body.indexOf(NEWLINE, start);
    const end = newline === -1 ? body.length : newline;
    const text = decode(body.subarray(start, end), line);
    if (text.trim() !== '') yield { line, text };
    start = end + 1;
  }
}

function parseLine(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedBodyError(`is not valid JSON (${describeJsonSyntaxError(error, text).reason})`, line, jsonErrorPosition(text)?.column);
  }
}

function decode(bytes: Buffer, line: number | undefined): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new MalformedBodyError('is not valid UTF-8', line);
  }
}

function checkRecord(record: unknown, field: string, maxRecordBytes: number): void {
  if (!isObject(record)) throw new InvalidInputError(field, shapeOf(record), 'must be a JSON object (one record)');
  const bytes = Buffer.byteLength(serializeRecord(record, field));
  // +2: the brackets of the smallest request, a chunk of this record alone.
  if (bytes + 2 > maxRecordBytes) throw new InvalidInputError(field, `${bytes} bytes`, `is larger than one upload request may carry (BYTEAIR_MAX_REQUEST_BYTES=${maxRecordBytes})`);
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
