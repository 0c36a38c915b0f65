import fc from 'fast-check';
import { InvalidInputError } from '../../src/errors/invalid-input-error.js';
import type { BodyFormat } from '../../src/http/body-format.js';
import { MalformedBodyError } from '../../src/http/ingest-errors.js';
import { serializeRecord } from '../../src/validation/json-record.js';
import { MAX_RECORD_DEPTH, MAX_RECORD_TOKENS, parseRecordBody, type RecordBodyOptions } from '../../src/http/record-body.js';

const OPTIONS: RecordBodyOptions = { maxRecordBytes: 16 * 1024 * 1024, allowSingleObject: true };

async function parsed(text: string, format: BodyFormat = 'json', options: RecordBodyOptions = OPTIONS): Promise<unknown[]> {
  const body = await parseRecordBody(Buffer.from(text), format, options);
  const records: unknown[] = [];
  for await (const record of body.records()) records.push(record);
  expect(records).toHaveLength(body.count);
  return records;
}

async function refusal(text: string, format: BodyFormat = 'json'): Promise<InvalidInputError | MalformedBodyError> {
  try {
    await parsed(text, format);
  } catch (error) {
    if (error instanceof InvalidInputError || error instanceof MalformedBodyError) return error;
    throw error;
  }
  throw new Error(`expected ${text.slice(0, 40)} to be refused`);
}

/** JSON.parse's verdict on a body, as the ingest API must give it: the records, or that it is refused. */
function reference(text: string, allowSingleObject: boolean): unknown[] | 'refused' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'refused';
  }
  // A record also has to be one the API can take (json-record.ts: e.g. no integer beyond 2^53).
  const isRecord = (v: unknown): boolean => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    try {
      serializeRecord(v, 'record');
      return true;
    } catch {
      return false;
    }
  };
  if (Array.isArray(value)) return value.length > 0 && value.every(isRecord) ? value : 'refused';
  return allowSingleObject && isRecord(value) ? [value] : 'refused';
}

describe('a JSON body is scanned element by element, never parsed whole', () => {
  test('agrees with JSON.parse on random bodies: the same records, or refused exactly when it refuses', async () => {
    // Keys in any Unicode (lone surrogates too): the scan works on UTF-8 bytes.
    const record = fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
    const element = fc.oneof({ weight: 4, arbitrary: record }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
    const space = fc.constantFrom('', ' ', '\n', '\t', ' \r\n ');
    const body = fc.oneof(
      // Valid JSON, some of it not records, with whitespace between the tokens.
      fc
        .tuple(fc.array(element, { maxLength: 6 }), space)
        .map(([items, ws]) => `${ws}[${ws}${items.map((item) => JSON.stringify(item, null, ws === '' ? undefined : 1)).join(`${ws},${ws}`)}${ws}]${ws}`),
      record.map((r) => JSON.stringify(r)),
      // Valid bodies broken at one character: cut short, or a character replaced or inserted.
      fc
        .tuple(fc.array(record, { minLength: 1, maxLength: 4 }), fc.nat(), fc.constantFrom('', ',', ']', '}', '[', '{', '"', ':', 'x', '\\'))
        .map(([items, at, ch]) => {
          const text = JSON.stringify(items);
          const i = at % (text.length + 1);
          return `${text.slice(0, i)}${ch}${text.slice(i + (ch === '' ? 0 : at % 2))}`;
        }),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (text, allowSingleObject) => {
        // What the bytes on the wire say: a lone surrogate in the string is sent as U+FFFD.
        const expected = reference(Buffer.from(text).toString('utf8'), allowSingleObject);
        const options = { ...OPTIONS, allowSingleObject };
        if (expected === 'refused') {
          const error: unknown = await parsed(text, 'json', options).then(
            () => undefined,
            (e: unknown) => e,
          );
          // A refusal the API answers 400 for, never an internal error.
          expect(error instanceof InvalidInputError || error instanceof MalformedBodyError).toBe(true);
        } else {
          await expect(parsed(text, 'json', options)).resolves.toEqual(expected);
        }
      }),
      { numRuns: 600 },
    );
  });

  test('an element that is not an object is refused by its first character, however large it is', async () => {
    // 8 MiB of nested arrays: JSON.parse would build four million arrays first.
    const nested = `[${'['.repeat(4 * 1024 * 1024)}${']'.repeat(4 * 1024 * 1024)}]`;
    const error = await refusal(nested);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'records[0]', value: 'an array of more than 4096 bytes' });
    // A short one is still described by what it holds.
    expect(await refusal('[{"id":"a"},[1,2]]')).toMatchObject({ field: 'records[1]', value: 'an array of 2 item(s)' });
  });

  test(`a record nesting deeper than ${MAX_RECORD_DEPTH} levels is refused, in JSON and NDJSON`, async () => {
    const deep = (levels: number): string => `{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    await expect(parsed(`[${deep(MAX_RECORD_DEPTH)}]`)).resolves.toHaveLength(1);
    expect(await refusal(`[{"id":"a"},${deep(MAX_RECORD_DEPTH + 1)}]`)).toMatchObject({ field: 'records[1]', value: `more than ${MAX_RECORD_DEPTH} levels` });
    expect(await refusal(`{"id":"a"}\n${deep(MAX_RECORD_DEPTH + 1)}\n`, 'ndjson')).toMatchObject({ field: 'records[1]', line: 2 });
  });

  test(`a record of more than ${MAX_RECORD_TOKENS} keys and values is refused before it is parsed`, async () => {
    // Each `[]` item costs two tokens (its bracket and a comma); the record's own `{`, `:`, `[` three.
    const wide = (items: number): string => `{"a":[${Array.from({ length: items }, () => '[]').join(',')}]}`;
    await expect(parsed(`[${wide(MAX_RECORD_TOKENS / 2 - 2)}]`)).resolves.toHaveLength(1);
    expect(await refusal(`[${wide(MAX_RECORD_TOKENS / 2)}]`)).toMatchObject({ field: 'records[0]', value: `more than ${MAX_RECORD_TOKENS} keys and values` });
  });

  test('syntax errors are placed by line and column in the whole body', async () => {
    expect(await refusal('[{"id":"a"},\n {"id":tru}]')).toMatchObject({ line: 2, column: 8 });
    expect(await refusal('[{"id":"a"}\n {"id":"b"}]')).toMatchObject({ line: 2, column: 2 });
    expect(await refusal('[{"id":"a"},')).toMatchObject({ line: 1, column: 13 });
    expect(await refusal('{"id":"a"}\n{"id":"b"} x\n', 'ndjson')).toMatchObject({ line: 2, column: 12 });
  });
});

test('a large body gives the event loop turns while it is parsed, and still yields every record', async () => {
  const count = 200_000;
  const text = JSON.stringify(Array.from({ length: count }, (_, i) => ({ id: `r${i}`, price: i, tags: ['a', 'b'] })));
  let turns = 0;
  let running = true;
  const spin = (): void => {
    turns += 1;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  const body = await parseRecordBody(Buffer.from(text), 'json', OPTIONS);
  const turnsWhileChecking = turns;
  let seen = 0;
  for await (const _record of body.records()) seen += 1;
  running = false;
  // Parsing all of it at once (the old way) leaves no turn to anyone until it is done.
  expect(turnsWhileChecking).toBeGreaterThan(1);
  expect([body.count, seen]).toEqual([count, count]);
});
