import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { serializeRecord } from './json-record.js';
import { describeJsonSyntaxError, formatJsonSyntaxProblem } from './json-syntax-error.js';

/** `.json` = one JSON array of objects; `.jsonl` = one object per line (blank lines skipped). */
export type RecordFileFormat = 'json' | 'jsonl';

export interface RecordFileLimits {
  /** Records one request may carry (BYTEAIR_MAX_RECORDS_PER_REQUEST, API maximum 10 000). */
  readonly maxRecords: number;
  /** Uncompressed JSON bytes one request may carry (BYTEAIR_MAX_REQUEST_BYTES). */
  readonly maxBytes: number;
}

/** The records of one file, as the single JSON array text a write request carries. */
export interface RecordBody {
  /** `[r1,r2,...]`, each record serialized as the chunker does, so equal records give equal text. */
  readonly json: string;
  readonly records: number;
  readonly bytes: number;
  /** sha256 of `json`: the content identity a Request-Id is derived from. */
  readonly sha256: string;
}

export function recordFileFormat(path: string, field = 'file'): RecordFileFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  throw new InvalidInputError(field, path, 'must end in .json (a JSON array of objects) or .jsonl (one JSON object per line)');
}

/**
 * Reads the records of a `.json` or `.jsonl` text for one write call. Pure: the caller reads
 * the file. `label` (usually the file name) prefixes every field in errors, so a message
 * points at `records.jsonl line 12` or `records.json[3]`.
 */
export function parseRecordFile(text: string, format: RecordFileFormat, label: string, limits: RecordFileLimits): RecordBody {
  // An editor's byte-order mark is not part of the JSON.
  const content = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const serialized = format === 'json' ? parseJsonArray(content, label, limits) : parseJsonLines(content, label, limits);
  if (serialized.length === 0) throw new InvalidInputError(label, '0 records', 'holds no records; the API refuses an empty write');
  const json = `[${serialized.join(',')}]`;
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.maxBytes)
    throw new InvalidInputError(
      label,
      `${bytes} bytes of JSON`,
      `is larger than one request may carry (BYTEAIR_MAX_REQUEST_BYTES=${limits.maxBytes}); split the file`,
    );
  return { json, records: serialized.length, bytes, sha256: createHash('sha256').update(json).digest('hex') };
}

function tooMany(label: string, count: number, limits: RecordFileLimits): InvalidInputError {
  return new InvalidInputError(
    label,
    `${count} records`,
    `holds more records than one write call may carry (at most ${limits.maxRecords}, BYTEAIR_MAX_RECORDS_PER_REQUEST); split the file`,
  );
}

function parseJsonArray(text: string, label: string, limits: RecordFileLimits): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const problem = describeJsonSyntaxError(error, text);
    if (problem.line === undefined) throw new InvalidInputError(label, 'its content', `is not valid JSON (${problem.reason})`);
    const lineText = text.split('\n')[problem.line - 1] ?? '';
    throw new InvalidInputError(`${label} line ${problem.line}`, lineText.trimEnd(), `is not valid JSON (${formatJsonSyntaxProblem(problem, false)})`);
  }
  if (!Array.isArray(parsed)) {
    throw new InvalidInputError(label, parsed, 'must hold a JSON array of record objects (or use a .jsonl file, one object per line)');
  }
  if (parsed.length > limits.maxRecords) throw tooMany(label, parsed.length, limits);
  return parsed.map((record: unknown, index) => serializeRecord(record, `${label}[${index}]`));
}

function parseJsonLines(text: string, label: string, limits: RecordFileLimits): string[] {
  const lines = text.split(/\r?\n/);
  const filled = lines.filter((line) => line.trim() !== '').length;
  // Counted before parsing, so an oversized file fails fast.
  if (filled > limits.maxRecords) throw tooMany(label, filled, limits);
  const out: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const field = `${label} line ${index + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new InvalidInputError(field, line, `is not valid JSON (${formatJsonSyntaxProblem(describeJsonSyntaxError(error, line), false)})`);
    }
    out.push(serializeRecord(record, field));
  });
  return out;
}
