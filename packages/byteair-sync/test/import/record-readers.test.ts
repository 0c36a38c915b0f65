import fc from 'fast-check';
import { csvField } from '../../src/cli/rejected-rows.js';
import type { ImportFormat } from '../../src/import/import-format.js';
import { readRecords } from '../../src/import/record-reader.js';
import type { SourceRecord } from '../../src/import/source-record.js';

const LIMITS = { maxRecordChars: 100_000 };

/** The text cut at the given offsets: readers must not care where one read ends and the next begins. */
async function* pieces(text: string, cuts: readonly number[]): AsyncGenerator<string> {
  // A real stream hands over each piece on a later tick.
  await Promise.resolve();
  let start = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
    if (cut > start) yield text.slice(start, cut);
    start = Math.max(start, cut);
  }
  if (start < text.length) yield text.slice(start);
}

async function readAll(format: ImportFormat, text: string, cuts: readonly number[] = []): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const record of readRecords(format, pieces(text, cuts), 'f', LIMITS)) out.push(record);
  return out;
}

const records = fc.array(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), { maxLength: 8 });
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('json array splitter', () => {
  test('any array of objects, pretty or compact, cut anywhere, reads as exactly its elements with their lines', async () => {
    await fc.assert(
      fc.asyncProperty(records, fc.constantFrom(0, 2), cuts, async (list, indent, at) => {
        const text = JSON.stringify(list, null, indent);
        const read = await readAll('json', text, at);
        expect(read.map((r) => r.record)).toEqual(JSON.parse(text));
        expect(read.map((r) => r.element)).toEqual(list.map((_, i) => i));
        // Compact: everything is on line 1. Pretty: each element opens its own line.
        for (const r of read) expect(indent === 0 ? r.line === 1 : text.split('\n')[r.line - 1]?.trimStart().startsWith('{')).toBe(true);
      }),
    );
  });

  test('strings holding brackets, commas and escaped quotes do not end an element', async () => {
    const read = await readAll('json', '[{"a":"],}\\"[{"} , {"b":"\\\\"}]', [3, 7, 11, 13]);
    expect(read.map((r) => r.record)).toEqual([{ a: '],}"[{' }, { b: '\\' }]);
  });

  test('an element longer than the cap is refused by position, before it is buffered whole', async () => {
    const text = `[{"a":"${'x'.repeat(500)}"}]`;
    const read = async (): Promise<unknown> => {
      for await (const _record of readRecords('json', pieces(text, [100, 200, 300, 400]), 'f', { maxRecordChars: 250 })) return;
    };
    await expect(read()).rejects.toThrow(/^f\[0\] \(line 1\): is longer than any record may be \(250 characters\)/);
  });
});

describe('jsonl reader', () => {
  test('one record per line, CRLF or LF, blank lines skipped, any cuts', async () => {
    await fc.assert(
      fc.asyncProperty(records, fc.boolean(), cuts, async (list, crlf, at) => {
        const text = list.map((r) => `${JSON.stringify(r)}${crlf ? '\r\n' : '\n'}\n`).join('');
        const read = await readAll('jsonl', text, at);
        expect(read.map((r) => r.record)).toEqual(list.map((r) => JSON.parse(JSON.stringify(r)) as unknown));
        expect(read.map((r) => r.line)).toEqual(list.map((_, i) => 2 * i + 1));
      }),
    );
  });
});

describe('csv reader', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '火') });
  test("rows written with RFC 4180 quoting (the exporter's csvField) read back as the same strings, any cuts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { maxLength: 6 }),
        cuts,
        async (columns, rows, at) => {
          const header = Array.from({ length: columns }, (_, i) => `c${i}`);
          // A one-column row of "" would be an empty line, which the reader skips: quote it.
          const line = (fields: readonly string[]): string => fields.map((f) => (fields.length === 1 && f === '' ? '""' : csvField(f))).join(',');
          const text = [header, ...rows.map((r) => r.slice(0, columns))].map(line).join('\r\n');
          const read = await readAll('csv', text, at);
          expect(read.map((r) => r.record)).toEqual(rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))));
        },
      ),
    );
  });

  test('a column named __proto__ is an ordinary key', async () => {
    const [first] = await readAll('csv', '__proto__,id\nx,1\n');
    expect(Object.getPrototypeOf(first?.record)).toBe(Object.prototype);
    expect(JSON.stringify(first?.record)).toBe('{"__proto__":"x","id":"1"}');
  });

  test('the line of a row is where it starts, counting line breaks inside quotes', async () => {
    const read = await readAll('csv', 'id,note\n1,"a\nb\nc"\n2,x\n');
    expect(read.map((r) => r.line)).toEqual([2, 5]);
  });
});
