import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import { operatorEnv, queuedRecords, runCliWithInput } from '../../../../test/support/operator-cli.js';
import { testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { runCli, type CliRun } from '../../../../test/support/run-cli.js';
import { makeTempDir } from '../../../../test/support/temp-files.js';

const temp = makeTempDir('cli-import');
let redis: TestRedis;
let ops: OperationsHandle;
/** Small chunks, so a handful of records makes several chunks. */
const ENV = { BYTEAIR_MAX_RECORDS_PER_REQUEST: '3', BYTEAIR_STREAM_BATCH_SIZE: '3', BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior' };

beforeAll(async () => {
  redis = await startTestRedis('cli-import');
  ops = openOperations(testConfig(redis, ENV), { redis: redis.client() });
});
afterAll(async () => {
  try {
    await ops.close();
  } finally {
    await redis.stop();
    temp.remove();
  }
});

function importCli(args: readonly string[], extra: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['import', ...args], operatorEnv(redis, { ...ENV, ...extra }));
}

function target(stage: string, date: string, topic = 'item'): string[] {
  return ['--topic', topic, '--stage', stage, '--date', date];
}

const items = (n: number, from = 1): Array<{ id: string; n: number }> => Array.from({ length: n }, (_, i) => ({ id: `i${from + i}`, n: from + i }));
const jsonl = (records: readonly unknown[]): string => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
const byId = (a: unknown, b: unknown): number => (a as { id: string }).id.localeCompare((b as { id: string }).id);

async function batchOf(id: string): Promise<Awaited<ReturnType<typeof ops.producer.batches>>[number] | undefined> {
  return (await ops.producer.batches()).find((b) => b.batchId === id);
}

/** One line on stderr, in the CLI's error shape. */
function expectOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
}

describe('byteair-sync import: records reach the batch', () => {
  test('a .jsonl file: every record in chunks of the configured size, each queued for upload; plain progress lines; summary', async () => {
    const records = items(7);
    const file = temp.write('seven.jsonl', jsonl(records));
    const run = await importCli([...target('history_sync', '2022-01-01'), '--file', file, '--progress-every', '0']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^imported 7 records from .*seven\.jsonl into item\/history_sync\/2022-01-01: 3 chunks \(3 new, 0 already in the batch\), .* read in \d+:\d\d \(\d+ records\/s\); the batch is open/,
    );
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^progress .*seven\.jsonl: 3 records, 1 chunks, \d+ records\/s, 100% read, ETA 0:00$/),
      expect.stringMatching(/: 6 records, 2 chunks, /),
      expect.stringMatching(/: 7 records, 3 chunks, /),
    ]);
    expect(await batchOf('item/history_sync/2022-01-01')).toMatchObject({ state: 'open', records: 7, chunks: 3 });
    const chunks = await queuedRecords(ops, 'item/history_sync/2022-01-01');
    expect(chunks.map((c) => c.length).sort()).toEqual([1, 3, 3]);
    expect(chunks.flat().sort(byId)).toEqual([...records].sort(byId));
  });

  test('running the same import again adds nothing: the chunks are recognised by their content-derived ids', async () => {
    const file = temp.write('again.jsonl', jsonl(items(5)));
    expect((await importCli([...target('history_sync', '2022-01-02'), '--file', file, '--quiet'])).code).toBe(0);
    const again = await importCli([...target('history_sync', '2022-01-02'), '--file', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/2 chunks \(0 new, 2 already in the batch\)/);
    expect(await batchOf('item/history_sync/2022-01-02')).toMatchObject({ records: 5, chunks: 2 });
    expect(await queuedRecords(ops, 'item/history_sync/2022-01-02')).toHaveLength(2);
  });

  test('a pretty-printed .json array is read element by element into the same records', async () => {
    const records = [
      { id: 'j1', title: 'a, "quoted" ] } title', nested: { list: [1, [2, 3]], empty: {} } },
      { id: 'j2', text: 'esc \\ \n \u00e9 火山' },
      { id: 'j3' },
      { id: 'j4', n: -1.5e3 },
    ];
    const file = temp.write('items.json', `\uFEFF${JSON.stringify(records, null, 2)}\n`);
    const run = await importCli([...target('pre_sync', '2022-01-01'), '--file', file, '--quiet']);
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await queuedRecords(ops, 'item/pre_sync/2022-01-01')).flat().sort(byId)).toEqual(records);
  });

  test('a .csv file: header names become keys, values stay strings, RFC 4180 quoting and CRLF', async () => {
    const file = temp.write('users.csv', 'id,name,note\r\nu1,"Doe, Jane","she said ""hi"""\r\n\r\nu2,Bob,"two\r\nlines"\r\nu3,,\r\n');
    const run = await importCli([...target('pre_sync', '2022-01-01', 'user'), '--file', file]);
    expect(run.code).toBe(0);
    expect((await queuedRecords(ops, 'user/pre_sync/2022-01-01')).flat().sort(byId)).toEqual([
      { id: 'u1', name: 'Doe, Jane', note: 'she said "hi"' },
      { id: 'u2', name: 'Bob', note: 'two\r\nlines' },
      { id: 'u3', name: '', note: '' },
    ]);
  });

  test('- reads standard input in the format --format names; no ETA without a size', async () => {
    const run = await runCliWithInput(
      ['import', ...target('pre_sync', '2022-01-02', 'user'), '--file', '-', '--format', 'csv', '--progress-every', '0'],
      operatorEnv(redis, ENV),
      'id,x\nu9,1\nu8,2\n',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^imported 2 records from stdin into user\/pre_sync\/2022-01-02/);
    expect(run.stderr).toMatch(/^progress stdin: 2 records, 1 chunks, \d+ records\/s\n$/);
    expect((await queuedRecords(ops, 'user/pre_sync/2022-01-02')).flat().sort(byId)).toEqual([
      { id: 'u8', x: '2' },
      { id: 'u9', x: '1' },
    ]);
  });

  test('--seal seals the batch after the import', async () => {
    const file = temp.write('sealed.jsonl', jsonl(items(2)));
    const run = await importCli([...target('history_sync', '2022-01-03'), '--file', file, '--seal']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/; sealed; its Done is sent once every chunk is uploaded\n$/);
    expect(await batchOf('item/history_sync/2022-01-03')).toMatchObject({ state: 'sealed', records: 2 });
  });
});

describe('byteair-sync import: bad input stops at the edge with one line naming it', () => {
  const good = temp.write('good.jsonl', jsonl(items(1)));

  test.each([
    [['--stage', 'pre_sync', '--date', '2022-01-01', '--file', good], /INVALID_INPUT: --topic: is required/],
    [['--topic', 'item', '--date', '2022-01-01', '--file', good], /INVALID_INPUT: --stage: is required/],
    [['--topic', 'item', '--stage', 'pre_sync', '--file', good], /INVALID_INPUT: --date: is required/],
    [target('pre_sync', '2022-01-01'), /INVALID_INPUT: --file: is required/],
    [[...target('pre_sync', '2022-01-01', 'items'), '--file', good], /INVALID_INPUT: --topic: is not a configured topic .*got "items"/],
    [[...target('presync', '2022-01-01'), '--file', good], /INVALID_INPUT: --stage: must be one of .*got "presync"/],
    [
      [...target('incremental_sync_streaming', '2022-01-01'), '--file', good],
      /INVALID_INPUT: --stage: is streaming: streaming records are pushed \(byteair-sync push\)/,
    ],
    [[...target('pre_sync', '2022-02-30'), '--file', good], /INVALID_INPUT: --date: is not a calendar date/],
    [[...target('pre_sync', '2999-01-01'), '--file', good], /INVALID_INPUT: --date: is in the future/],
    [[...target('incremental_sync_daily', '2022-01-01', 'behavior'), '--file', good], /INVALID_INPUT: --stage: topic "behavior" is declared streaming-only/],
    [[...target('pre_sync', '2022-01-01'), '--file', join(temp.path, 'missing.jsonl')], /INVALID_INPUT: --file: does not exist/],
    [[...target('pre_sync', '2022-01-01'), '--file', temp.path, '--format', 'jsonl'], /INVALID_INPUT: --file: is not a regular file/],
    [[...target('pre_sync', '2022-01-01'), '--file', temp.write('items.txt', '{}')], /INVALID_INPUT: --file: must end in \.jsonl, \.ndjson, \.json, \.csv/],
    [[...target('pre_sync', '2022-01-01'), '--file', '-'], /INVALID_INPUT: --format: is required when --file is -/],
    [[...target('pre_sync', '2022-01-01'), '--file', good, '--format', 'xml'], /INVALID_INPUT: --format: must be one of jsonl, json, csv/],
    [[...target('pre_sync', '2022-01-01'), '--file', good, '--progress-every', 'soon'], /INVALID_INPUT: --progress-every: must be a number of seconds/],
  ])('%j exits 2', async (args, pattern) => {
    expectOneLineError(await importCli(args), 2, pattern);
  });

  test('an unknown flag exits 2', async () => {
    const run = await importCli([...target('pre_sync', '2022-01-01'), '--file', good, '--sael']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--sael'/);
  });

  test.each([
    ['empty.jsonl', '\n\n', /empty\.jsonl: holds no records/],
    ['empty.json', '[ ]', /empty\.json: holds no records/],
    ['blank.json', '', /blank\.json: holds no records/],
    ['header-only.csv', 'id,name\r\n', /header-only\.csv: holds no records/],
    ['nothing.csv', '', /nothing\.csv: holds no header row/],
    ['line2.jsonl', '{"id":"a"}\n{"id":"b",}\n', /line2\.jsonl line 2: is not valid JSON \(.* at column 11\) \(got "\{\\"id\\":\\"b\\",\}"\)/],
    ['array-line.jsonl', '{"id":"a"}\n\n[1,2]\n', /array-line\.jsonl line 3: must be a JSON object .*got \[1,2\]/],
    ['element.json', '[\n  {"id": "a"},\n  {"id": "b" "c"}\n]', /element\.json\[1\] \(line 3\): is not valid JSON \(.* at line 3 column 14\)/],
    ['scalar.json', '[{"id":"a"}, 42]', /scalar\.json\[1\] \(line 1\): must be a JSON object .*got 42/],
    ['object.json', '{"id":"a"}', /object\.json line 1 column 1: must start the file with \[/],
    ['cut.json', '[{"id":"a"},\n{"id":"b"', /cut\.json\[1\] \(line 2\): is cut off/],
    ['fields.csv', 'id,price\n1,2\n2,3,4\n', /fields\.csv line 3: has 3 fields but the header row has 2 \(id,price\)/],
    ['quote.csv', 'id,price\n1,2\n2,3"5\n', /quote\.csv line 3 column price: has a quote inside an unquoted field/],
    ['open.csv', 'id,note\n1,"never closed\n2,x\n', /open\.csv line 4 column note: has a quote opened on line 2 that is never closed/],
    ['dup.csv', 'id,id\n1,2\n', /dup\.csv line 1 \(header\) column 2: names a column twice/],
  ])('%s exits 2 with the place and value, and opens no batch', async (name, content, pattern) => {
    const date = '2022-02-01';
    const run = await importCli([...target('history_sync', date, 'user'), '--file', temp.write(name, content)]);
    expectOneLineError(run, 2, new RegExp(`^byteair-sync: INVALID_INPUT: .*${pattern.source}`));
    expect(run.stdout).toBe('');
    expect(await batchOf(`user/history_sync/${date}`)).toBeUndefined();
  });

  test('bytes that are not UTF-8 exit 2', async () => {
    const file = join(temp.path, 'latin1.jsonl');
    writeFileSync(file, Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d, 0x0a]));
    expectOneLineError(await importCli([...target('history_sync', '2022-02-02', 'user'), '--file', file]), 2, /latin1\.jsonl: is not valid UTF-8 text/);
  });

  test('a bad line after whole chunks: those chunks stay added, the batch stays open, and the fixed file completes it without duplicates', async () => {
    const records = items(8);
    const broken = `${jsonl(records.slice(0, 7))}{"id": oops}\n`;
    const file = temp.write('late.jsonl', broken);
    const run = await importCli([...target('history_sync', '2022-02-03'), '--file', file]);
    expectOneLineError(run, 2, /INVALID_INPUT: .*late\.jsonl line 8: is not valid JSON/);
    expect(run.stdout).toMatch(/^stopped: 6 records in 2 whole chunks were added to item\/history_sync\/2022-02-03 before the import stopped/);
    expect(await batchOf('item/history_sync/2022-02-03')).toMatchObject({ state: 'open', records: 6, chunks: 2 });

    writeFileSync(file, jsonl(records));
    const fixed = await importCli([...target('history_sync', '2022-02-03'), '--file', file]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/3 chunks \(1 new, 2 already in the batch\)/);
    expect(await batchOf('item/history_sync/2022-02-03')).toMatchObject({ records: 8, chunks: 3 });
    expect((await queuedRecords(ops, 'item/history_sync/2022-02-03')).flat().sort(byId)).toEqual([...records].sort(byId));
  });

  test('a sealed batch is refused before the file is read (exit 1)', async () => {
    const batch = await ops.producer.batch('item', 'pre_sync', '2022-02-04');
    await batch.add([{ id: 'x' }]);
    await batch.seal();
    expectOneLineError(
      await importCli([...target('pre_sync', '2022-02-04'), '--file', join(temp.path, 'not-even-there.jsonl')]),
      1,
      /^byteair-sync: BATCH_CLOSED: batch item\/pre_sync\/2022-02-04 is sealed/,
    );
  });

  test('Redis out of reach: one line naming host and port, never the URL password (exit 1)', async () => {
    const run = await runCli(
      ['import', ...target('pre_sync', '2022-01-01'), '--file', good],
      operatorEnv(redis, { ...ENV, REDIS_URL: 'redis://:hunter2@127.0.0.1:1' }),
    );
    expectOneLineError(run, 1, /^byteair-sync: REDIS_UNAVAILABLE: cannot reach Redis at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    expect(run.stderr).not.toContain('hunter2');
  });
});
