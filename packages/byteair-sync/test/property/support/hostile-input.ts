import fc from 'fast-check';

/**
 * Generators of hostile input for the edge properties (HTTP ingest, file import). Records are
 * generated as JSON *text*, not as objects: a record nested 5 000 levels deep cannot even be
 * built and stringified by the test without overflowing its own stack, and text is what the
 * edges receive anyway.
 */

/** One record as the edge receives it. */
export interface RecordText {
  readonly text: string;
  /**
   * True when the text is a JSON object every JSON parser agrees on, so a correct edge may
   * accept it (it may still refuse it, e.g. for its size or depth).
   */
  readonly object: boolean;
}

/** Strings that break naive handling: NUL, lone surrogates, line separators, a BOM, quotes. */
const awkwardString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff x', '\u2028\u2029', '\ufeff', '"\\', '\r\n', '💩', 'é', '') },
);

/** Keys that collide with Object.prototype or are otherwise unusual. */
const awkwardKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'id', 'a.b', '[0]') },
  { weight: 1, arbitrary: awkwardString },
);

/** What the edges refuse as a 64-bit integer that lost digits (src/validation/json-record.ts). */
function isLossy64BitInteger(n: number): boolean {
  return Number.isInteger(n) && !Number.isSafeInteger(n) && Math.abs(n) <= 2 ** 64;
}

/** Number literals at the edges of what JSON and doubles can carry. */
const numberLiteral = fc.oneof(
  fc.integer().map(String),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .filter((n) => !isLossy64BitInteger(n))
    .map((n) => JSON.stringify(n)),
  fc.constantFrom('1e308', '-1e308', '5e-324', '-0', '9007199254740991', '123456789012345678901234567890', '1E+2', '0.1e-7'),
);

/** Number-ish literals that are not JSON (a parser must refuse them) or overflow to Infinity. */
export const badNumberLiteral = fc.constantFrom('1e999', '-1e400', 'NaN', 'Infinity', '01', '+1', '.5', '1.', '0x10');

const scalarText = fc.oneof(
  awkwardString.map((s) => JSON.stringify(s)),
  numberLiteral,
  fc.constantFrom('true', 'false', 'null'),
);

/** Arrays and objects nested `depth` levels, as text. */
export function nestedText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const valueText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarText,
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(awkwardKey, tie('value')), { maxLength: 3 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** A JSON object whose keys and values are hostile but valid. */
const objectText = fc
  .array(fc.tuple(awkwardKey, valueText), { maxLength: 5 })
  .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);

/** Records the edges should take: hostile keys and values, a long string, moderate nesting. */
export const goodRecord: fc.Arbitrary<RecordText> = fc
  .oneof(
    { weight: 8, arbitrary: objectText },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 200 }), fc.constantFrom<'array' | 'object'>('array', 'object'))
        .map(([d, k]) => `{"deep":${nestedText(d, k)}}`),
    },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 3_000 }).map((n) => `{"long":${JSON.stringify('x'.repeat(n))}}`) },
  )
  .map((text) => ({ text, object: true }));

/**
 * Records the edges must refuse, or may refuse: not an object, a number that overflows,
 * invalid JSON, nesting deep enough to overflow a recursive walker, or too long for a request.
 */
export const badRecord: fc.Arbitrary<RecordText> = fc.oneof(
  fc.constantFrom('1', '"x"', 'null', 'true', '[]', '[{}]').map((text) => ({ text, object: false })),
  badNumberLiteral.map((n) => ({ text: `{"n":${n}}`, object: false })),
  // 64-bit ids that JSON.parse cannot hold exactly: refused rather than uploaded changed.
  fc.constantFrom('9007199254740993', '-9007199254740993', '18446744073709551615', '1732780800123456789').map((n) => ({ text: `{"id":${n}}`, object: false })),
  fc.constantFrom('{"a":1', '{"a":}', "{'a':1}", '{"a":1,}', '{a:1}', '{"a":"\u0001"}', '{"a":"\\x"}').map((text) => ({ text, object: false })),
  fc
    .tuple(fc.integer({ min: 2_000, max: 20_000 }), fc.constantFrom<'array' | 'object'>('array', 'object'))
    .map(([d, k]) => ({ text: `{"deep":${nestedText(d, k)}}`, object: true })),
  fc.integer({ min: 5_000, max: 20_000 }).map((n) => ({ text: `{"long":${JSON.stringify('y'.repeat(n))}}`, object: true })),
);

/** Mostly good records, so the success paths are reached as often as the refusals. */
export const records = (maxLength: number): fc.Arbitrary<RecordText[]> =>
  fc.array(fc.oneof({ weight: 12, arbitrary: goodRecord }, { weight: 1, arbitrary: badRecord }), { maxLength });

/** Blank lines (spaces, tabs, CR) that NDJSON readers must skip. */
const blankLine = fc.constantFrom('', ' ', '\t', '\r');

/** One JSON value per line, LF or CRLF, blank lines between, with or without a final break. */
export function ndjsonText(list: readonly RecordText[], crlf: boolean, blanks: readonly string[], finalBreak: boolean): string {
  const eol = crlf ? '\r\n' : '\n';
  const lines: string[] = [];
  list.forEach((r, i) => {
    const blank = blanks[i % Math.max(blanks.length, 1)];
    if (blanks.length > 0 && blank !== undefined && i % 2 === 1) lines.push(blank);
    lines.push(r.text);
  });
  return lines.join(eol) + (finalBreak && lines.length > 0 ? eol : '');
}

export interface NdjsonLayout {
  readonly crlf: boolean;
  readonly blanks: readonly string[];
  readonly finalBreak: boolean;
}

export const ndjsonLayout: fc.Arbitrary<NdjsonLayout> = fc.record({
  crlf: fc.boolean(),
  blanks: fc.array(blankLine, { maxLength: 3 }),
  finalBreak: fc.boolean(),
});

/** A JSON array, compact or with line breaks between elements. */
export function jsonArrayText(list: readonly RecordText[], pretty: boolean): string {
  return pretty ? `[\n  ${list.map((r) => r.text).join(',\n  ')}\n]` : `[${list.map((r) => r.text).join(',')}]`;
}

/**
 * What is done to the bytes after the text is encoded. `none` and `bom` keep the content;
 * every other kind makes the body something a strict edge must refuse or read differently.
 */
export type ByteMutation =
  | { readonly kind: 'none' }
  | { readonly kind: 'bom' }
  | { readonly kind: 'utf16le-bom' }
  | { readonly kind: 'utf16be' }
  | { readonly kind: 'latin1' }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'truncate'; readonly at: number };

/** Bytes that are not UTF-8 (a stray 0xFF, an overlong NUL, a UTF-8-encoded surrogate, a cut character), and a raw NUL. */
const badBytes = fc.constantFrom<readonly number[]>([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x00], [0xfe, 0xff]);

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'bom' as const }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'utf16le-bom' as const }, { kind: 'utf16be' as const }, { kind: 'latin1' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: badBytes }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
);

/** True when the mutation leaves the decoded text exactly as it was. */
export function keepsContent(mutation: ByteMutation): boolean {
  return mutation.kind === 'none' || mutation.kind === 'bom';
}

export function encodeText(text: string, mutation: ByteMutation): Buffer {
  const utf8 = Buffer.from(text, 'utf8');
  switch (mutation.kind) {
    case 'none':
      return utf8;
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    case 'utf16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf16be':
      return Buffer.from(text, 'utf16le').swap16();
    case 'latin1':
      return Buffer.from(text, 'latin1');
    case 'insert': {
      const at = mutation.at % (utf8.length + 1);
      return Buffer.concat([utf8.subarray(0, at), Buffer.from(mutation.bytes), utf8.subarray(at)]);
    }
    case 'truncate':
      return utf8.subarray(0, mutation.at % (utf8.length + 1));
  }
}

/** Data dates: ordinary past days, calendar edge cases, the far past and future, and non-dates. */
export function dataDate(today: string): fc.Arbitrary<string> {
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date(`${today}T00:00:00Z`), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '0000-01-01',
        '00000101',
        '0001-01-01',
        '1900-01-01',
        '1970-01-01',
        '2000-02-29',
        '2024-02-29',
        today,
        today.replaceAll('-', ''),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        tomorrow,
        '9999-12-31',
        '1900-02-29',
        '2023-02-29',
        '2022-13-01',
        '2022-00-10',
        '2022-1-1',
        '2022/01/01',
        '2022-01-01T00:00:00Z',
        '２０２２-01-01',
        '',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
}

/** Topics: the configured ones, near misses, and prototype names. */
export const topicName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('item', 'user', 'behavior') },
  { weight: 1, arbitrary: fc.constantFrom('Item', 'item ', '__proto__', 'constructor', 'toString', '', 'item/x', '..') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

export const stageName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('pre_sync', 'history_sync', 'incremental_sync_daily') },
  { weight: 1, arbitrary: fc.constantFrom('incremental_sync_streaming', 'HISTORY_SYNC', '__proto__', 'history_sync ', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** Today as YYYY-MM-DD in UTC, the zone the property tests configure. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** A CSV table: a header row of column names, then rows of the same width. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** Cells with the characters RFC 4180 quoting exists for, and some it does not expect. */
const csvCell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '\u0000', '火', '\ufeff'), maxLength: 6 });

/** Column names: ordinary, prototype names, blank or repeated ones (refused: they cannot be keys). */
const csvName = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'c', '_', '1'), minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.constantFrom('id', '__proto__', 'constructor', 'toString', 'a "b"', 'x,y', 'line\nbreak') },
  { weight: 1, arbitrary: fc.constantFrom('', ' ') },
);

export const csvTable: fc.Arbitrary<CsvTable> = fc.integer({ min: 1, max: 4 }).chain((width) =>
  fc.record({
    header: fc.array(csvName, { minLength: width, maxLength: width }),
    rows: fc.array(fc.array(csvCell, { minLength: width, maxLength: width }), { maxLength: 9 }),
  }),
);

/** RFC 4180 text; every empty or special cell quoted, so no row is an (ignored) empty line. */
export function csvText(table: CsvTable, crlf: boolean): string {
  const eol = crlf ? '\r\n' : '\n';
  const cell = (value: string): string => (value === '' || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return [table.header, ...table.rows].map((row) => row.map(cell).join(',')).join(eol) + eol;
}

/** A header the reader takes: every name present (not blank) and different. */
export function csvHeaderUsable(header: readonly string[]): boolean {
  return header.every((name) => name.trim() !== '') && new Set(header).size === header.length;
}
