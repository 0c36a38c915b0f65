import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { ReaderLimits, SourceRecord } from './source-record.js';

export interface CsvRow {
  readonly fields: readonly string[];
  /** 1-based line the row starts on (a quoted field may span lines). */
  readonly line: number;
}

const enum At {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: a second quote (an escaped one), or the field's end. */
  QuoteInQuoted,
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/**
 * RFC 4180 rows from text arriving in pieces: comma-separated, fields optionally in double
 * quotes (which may hold commas, quotes written as "" and line breaks), rows ending in CRLF
 * or LF. Strict where a lenient reading would guess: a quote inside an unquoted field, or
 * text after a closing quote, is an error. Empty lines are skipped. One row in memory.
 */
export class CsvRowSplitter {
  readonly #label: string;
  readonly #maxChars: number;
  #at = At.FieldStart;
  #fields: string[] = [];
  #field = '';
  #line = 1;
  /** Line where the open quoted field started, for "never closed". */
  #quoteLine = 1;
  #rowLine = 1;
  #skipLf = false;
  #header: readonly string[] | undefined;

  constructor(label: string, limits: ReaderLimits) {
    this.#label = label;
    this.#maxChars = limits.maxRecordChars;
  }

  /** Column names, once the header row is known: errors name the column. */
  set header(names: readonly string[]) {
    this.#header = names;
  }

  *push(text: string): Generator<CsvRow> {
    let runStart = this.#at === At.Unquoted || this.#at === At.Quoted ? 0 : -1;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (this.#skipLf) {
        this.#skipLf = false;
        if (code === LF) continue;
      }
      switch (this.#at) {
        case At.FieldStart:
          if (code === QUOTE) {
            this.#at = At.Quoted;
            this.#quoteLine = this.#line;
            runStart = i + 1;
          } else if (code === COMMA) {
            this.#endField('');
          } else if (code === CR || code === LF) {
            const row = this.#fields.length === 0 ? undefined : this.#endRow('');
            this.#newline(code);
            if (row !== undefined) yield row;
          } else {
            this.#at = At.Unquoted;
            runStart = i;
          }
          break;
        case At.Unquoted:
          if (code === COMMA) {
            this.#endField(text.slice(runStart, i));
          } else if (code === CR || code === LF) {
            const row = this.#endRow(text.slice(runStart, i));
            this.#newline(code);
            yield row;
          } else if (code === QUOTE) {
            throw this.#error(
              'has a quote inside an unquoted field; quote the whole field ("...") and write each quote in it as ""',
              this.#field + text.slice(runStart, i + 1),
            );
          }
          break;
        case At.Quoted:
          if (code === QUOTE) {
            this.#field += text.slice(runStart, i);
            this.#at = At.QuoteInQuoted;
          } else if (code === LF) {
            this.#line += 1;
          }
          break;
        case At.QuoteInQuoted:
          if (code === QUOTE) {
            this.#field += '"';
            this.#at = At.Quoted;
            runStart = i + 1;
          } else if (code === COMMA) {
            this.#endField('');
          } else if (code === CR || code === LF) {
            const row = this.#endRow('');
            this.#newline(code);
            yield row;
          } else {
            throw this.#error('has text after its closing quote; write a quote inside a quoted field as ""', `${this.#field}"${String.fromCharCode(code)}`);
          }
          break;
      }
    }
    if (this.#at === At.Unquoted || this.#at === At.Quoted) this.#field += text.slice(runStart);
    const rowChars = this.#fields.reduce((sum, field) => sum + field.length + 1, this.#field.length);
    if (rowChars > this.#maxChars)
      throw this.#error(`makes a row longer than any record may be (${this.#maxChars} characters); is a quote left open?`, `${rowChars}+ characters`);
  }

  /** The input ended: the last row, when it has no line break after it. */
  end(): CsvRow | undefined {
    switch (this.#at) {
      case At.Quoted:
        throw this.#error(`has a quote opened on line ${this.#quoteLine} that is never closed: the input ends inside this quoted field`, this.#field);
      case At.Unquoted:
      case At.QuoteInQuoted:
        return this.#endRow('');
      case At.FieldStart:
        return this.#fields.length === 0 ? undefined : this.#endRow('');
    }
  }

  #endField(tail: string): void {
    this.#fields.push(this.#field + tail);
    this.#field = '';
    this.#at = At.FieldStart;
  }

  #endRow(tail: string): CsvRow {
    this.#fields.push(this.#field + tail);
    const row = { fields: this.#fields, line: this.#rowLine };
    this.#fields = [];
    this.#field = '';
    this.#at = At.FieldStart;
    return row;
  }

  #newline(code: number): void {
    this.#line += 1;
    this.#rowLine = this.#line;
    if (code === CR) this.#skipLf = true;
  }

  #error(reason: string, value: string): InvalidInputError {
    const index = this.#fields.length;
    const column = this.#header?.[index] ?? String(index + 1);
    return new InvalidInputError(`${this.#label} line ${this.#line} column ${column}`, value, reason);
  }
}

/** Header names: each present and different, as they become the records' keys. */
function checkHeader(row: CsvRow, label: string): readonly string[] {
  const seen = new Set<string>();
  row.fields.forEach((name, index) => {
    const field = `${label} line ${row.line} (header) column ${index + 1}`;
    if (name.trim() === '') throw new InvalidInputError(field, name, 'is an empty column name; every column of the header row needs a name');
    if (seen.has(name)) throw new InvalidInputError(field, name, 'names a column twice; each record key must be unique');
    seen.add(name);
  });
  return row.fields;
}

/** CSV with a header row: each later row becomes an object of strings keyed by the header. */
export async function* csvRecords(text: AsyncIterable<string>, label: string, limits: ReaderLimits): AsyncGenerator<SourceRecord> {
  const splitter = new CsvRowSplitter(label, limits);
  let header: readonly string[] | undefined;
  const toRecord = (row: CsvRow): SourceRecord => {
    if (header === undefined) throw new Error('unreachable: header row not read');
    if (row.fields.length !== header.length) {
      throw new InvalidInputError(
        `${label} line ${row.line}`,
        row.fields.join(',').slice(0, 200),
        `has ${row.fields.length} fields but the header row has ${header.length} (${header.join(',').slice(0, 200)})`,
      );
    }
    // fromEntries defines own properties, so a column named __proto__ stays a plain key.
    return { record: Object.fromEntries(header.map((name, i) => [name, row.fields[i]])), line: row.line };
  };
  const take = (row: CsvRow): SourceRecord | undefined => {
    if (header !== undefined) return toRecord(row);
    header = checkHeader(row, label);
    splitter.header = header;
    return undefined;
  };
  for await (const piece of text) {
    for (const row of splitter.push(piece)) {
      const record = take(row);
      if (record !== undefined) yield record;
    }
  }
  const last = splitter.end();
  const record = last === undefined ? undefined : take(last);
  if (record !== undefined) yield record;
  if (header === undefined) throw new InvalidInputError(label, 'no content', 'holds no header row: a .csv import starts with a row of column names');
}
