import { ByteairSyncError } from './byteair-sync-error.js';

/**
 * Bad input stopped at the edge (API, CLI, HTTP ingest, files, config). Always names the
 * field and the offending value, so the caller can fix it without reading our code.
 */
export class InvalidInputError extends ByteairSyncError {
  readonly code = 'INVALID_INPUT';
  readonly field: string;
  readonly value: unknown;
  /** The sentence after the field, so a caller that knows the input better can re-say it under another field name. */
  readonly reason: string;

  constructor(field: string, value: unknown, reason: string) {
    super(`${printable(field)}: ${reason} (got ${describeValue(value)})`, { field, value: describeValue(value) });
    this.field = field;
    this.value = value;
    this.reason = reason;
  }
}

/** A short, printable rendering of any value, for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n (BigInt)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return Object.prototype.toString.call(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A field name as it goes into a message: names come from input too (a CSV header, a JSON
 * key), and a line break in one would split the one-line error a script greps for.
 */
function printable(field: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  return field.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
