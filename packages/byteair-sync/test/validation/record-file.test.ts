import { createHash } from 'node:crypto';
import { chunkRecords } from '../../src/batches/chunker.js';
import { fixedClock } from '../../src/clock.js';
import { parseDataDates } from '../../src/validation/data-dates.js';
import { describeJsonSyntaxError } from '../../src/validation/json-syntax-error.js';
import { parseRecordFile, recordFileFormat } from '../../src/validation/record-file.js';

const LIMITS = { maxRecords: 3, maxBytes: 1_000 };

function errorOf(fn: () => unknown): { field: string; value: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { field: string; value: unknown; message: string };
  }
  throw new Error('expected an error');
}

describe('parseRecordFile', () => {
  test("the body is byte-identical to the chunker's, so the content hash (and Request-Id) agrees with the pipeline", async () => {
    const records = [
      { id: 'a', n: 1 },
      { id: 'b', text: '火山' },
    ];
    const body = parseRecordFile(JSON.stringify(records, null, 2), 'json', 'f.json', LIMITS);
    const chunks = [];
    for await (const chunk of chunkRecords(records, LIMITS)) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(body).toEqual({ json: chunks[0]?.json.toString(), records: 2, bytes: chunks[0]?.bytes, sha256: chunks[0]?.sha256 });
    expect(body.sha256).toBe(createHash('sha256').update(body.json).digest('hex'));
  });

  test('.jsonl: CRLF, blank lines and a byte-order mark are tolerated', () => {
    const body = parseRecordFile('\uFEFF{"id":"a"}\r\n\r\n  \n{"id":"b"}\n', 'jsonl', 'f.jsonl', LIMITS);
    expect(body.json).toBe('[{"id":"a"},{"id":"b"}]');
  });

  test('the record cap counts records; exactly the cap is fine', () => {
    expect(parseRecordFile('[{},{},{}]', 'json', 'f.json', LIMITS).records).toBe(3);
    expect(errorOf(() => parseRecordFile('[{},{},{},{}]', 'json', 'f.json', LIMITS)).message).toContain('at most 3');
    expect(errorOf(() => parseRecordFile('{}\n{}\n{}\n{}', 'jsonl', 'f.jsonl', LIMITS)).message).toContain('(got "4 records")');
  });

  test('the byte cap applies to the JSON array text', () => {
    const big = JSON.stringify([{ text: 'x'.repeat(1_000) }]);
    expect(errorOf(() => parseRecordFile(big, 'json', 'f.json', LIMITS)).message).toContain('BYTEAIR_MAX_REQUEST_BYTES=1000');
  });

  test('a bad line in .jsonl is named by its number, blank lines counted', () => {
    const error = errorOf(() => parseRecordFile('{"id":1}\n\n{"id":}\n', 'jsonl', 'f.jsonl', LIMITS));
    expect(error.field).toBe('f.jsonl line 3');
  });

  test('records must be objects', () => {
    expect(errorOf(() => parseRecordFile('[{"a":1}, null]', 'json', 'f.json', LIMITS)).field).toBe('f.json[1]');
    expect(errorOf(() => parseRecordFile('"text"', 'jsonl', 'f.jsonl', LIMITS)).field).toBe('f.jsonl line 1');
  });
});

test('recordFileFormat goes by the extension, any case', () => {
  expect(recordFileFormat('A.JSON')).toBe('json');
  expect(recordFileFormat('a.jsonl')).toBe('jsonl');
  expect(recordFileFormat('a.ndjson')).toBe('jsonl');
  expect(errorOf(() => recordFileFormat('a.txt', '--file')).field).toBe('--file');
});

describe('describeJsonSyntaxError', () => {
  function describe_(text: string): ReturnType<typeof describeJsonSyntaxError> {
    try {
      JSON.parse(text);
    } catch (error) {
      return describeJsonSyntaxError(error, text);
    }
    throw new Error('expected invalid JSON');
  }

  test('position becomes line and column', () => {
    expect(describe_('{\n  "a": 1\n  "b": 2\n}')).toEqual({ reason: "Expected ',' or '}' after property value", line: 3, column: 3 });
  });

  test('truncated input points at its end', () => {
    expect(describe_('[1,\n2')).toEqual(expect.objectContaining({ line: 2, column: 2 }));
  });

  test('messages that quote the input are not passed on', () => {
    const problem = describe_('{"k": secretvalue}');
    expect(JSON.stringify(problem)).not.toContain('secret');
  });
});

describe('parseDataDates', () => {
  const clock = fixedClock(Date.UTC(2024, 2, 1, 12));

  test('canonical dates in the given order', () => {
    expect(parseDataDates(['20240101', '2024-02-29'], 'UTC', clock)).toEqual(['2024-01-01', '2024-02-29']);
  });

  test('today in the zone is allowed, tomorrow is not', () => {
    expect(parseDataDates(['2024-03-01'], 'UTC', clock)).toEqual(['2024-03-01']);
    expect(errorOf(() => parseDataDates(['2024-03-02'], 'UTC', clock)).message).toContain('is in the future (today is 2024-03-01 in UTC)');
    // 12:00 UTC is already 2 March on Kiritimati (UTC+14): the zone decides what "today" is.
    expect(parseDataDates(['2024-03-02'], 'Pacific/Kiritimati', clock)).toEqual(['2024-03-02']);
  });

  test('days before 2000-01-01 are refused, naming the field and the value; 2000-01-01 itself is taken', () => {
    for (const early of ['0000-01-01', '0001-01-01', '00010101', '1900-01-01', '1999-12-31']) {
      const error = errorOf(() => parseDataDates([early], 'UTC', clock, '--date'));
      expect([error.field, error.value]).toEqual(['--date', early]);
      expect(error.message).toContain('is before 2000-01-01, the earliest data date taken');
    }
    expect(parseDataDates(['2000-01-01', '20000102'], 'UTC', clock)).toEqual(['2000-01-01', '2000-01-02']);
  });

  test('empty lists and repeated days are refused', () => {
    expect(errorOf(() => parseDataDates([], 'UTC', clock, '--date')).field).toBe('--date');
    expect(errorOf(() => parseDataDates(['2024-01-01', '20240101'], 'UTC', clock)).message).toContain('lists 2024-01-01 twice');
  });
});
