import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { InvalidInputError } from '../../src/errors/invalid-input-error.js';
import type { ImportFormat } from '../../src/import/import-format.js';
import { importFile, type ImportProgress } from '../../src/import/import-file.js';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import { parseJobData } from '../../src/queue/job-data.js';
import { MAX_RECORD_DEPTH } from '../../src/validation/json-record.js';
import { operatorEnv } from '../../../../test/support/operator-cli.js';
import { testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { runCli } from '../../../../test/support/run-cli.js';
import { makeTempDir } from '../../../../test/support/temp-files.js';
import {
  byteMutation,
  csvHeaderUsable,
  csvTable,
  csvText,
  encodeText,
  jsonArrayText,
  keepsContent,
  ndjsonLayout,
  ndjsonText,
  records,
  type ByteMutation,
} from './support/hostile-input.js';

/**
 * Hostile input over file import (`byteair-sync import`, src/import/). Whatever the
 * file holds (encodings, BOMs, NULs, broken lines, open quotes, deep nesting, prototype keys,
 * huge numbers, long strings), read in pieces cut anywhere: (a) the import neither crashes
 * nor fails untyped, (b) a refusal is an InvalidInputError naming the file position and the
 * value (and the command exits 2 with that one line), (c) a refused import leaves exactly the
 * whole chunks it reported as added, and no batch at all when it stops in its first chunk,
 * while a clean file arrives as exactly its records.
 */
const ENV = {
  BYTEAIR_MAX_RECORDS_PER_REQUEST: '4',
  BYTEAIR_STREAM_BATCH_SIZE: '4',
  BYTEAIR_MAX_REQUEST_BYTES: '8192',
  BYTEAIR_DATE_ZONE: 'UTC',
  BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior',
};
const LIMITS = { maxRecords: 4, maxBytes: 8192 };

let redis: TestRedis;
let ops: OperationsHandle;
const temp = makeTempDir('prop-import');

beforeAll(async () => {
  redis = await startTestRedis('prop-import');
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

/** An input file: its text, and the records a correct reader finds in it when it is clean. */
interface Input {
  readonly format: ImportFormat;
  readonly text: string;
  /** Undefined when the text holds something a reader must refuse (or may read differently). */
  readonly expected: readonly unknown[] | undefined;
}

const jsonlInput: fc.Arbitrary<Input> = fc.tuple(records(10), ndjsonLayout).map(([list, layout]) => ({
  format: 'jsonl',
  text: ndjsonText(list, layout.crlf, layout.blanks, layout.finalBreak),
  expected: list.length > 0 && list.every((r) => r.object && r.text.length < 4_000) ? list.map((r) => JSON.parse(r.text) as unknown) : undefined,
}));

const jsonInput: fc.Arbitrary<Input> = fc.tuple(records(10), fc.boolean()).map(([list, pretty]) => ({
  format: 'json',
  text: jsonArrayText(list, pretty),
  expected: list.length > 0 && list.every((r) => r.object && r.text.length < 4_000) ? list.map((r) => JSON.parse(r.text) as unknown) : undefined,
}));

/** CSV, sometimes broken: a stray quote in an unquoted field, a row one field too long, an open quote. */
const csvInput: fc.Arbitrary<Input> = fc
  .tuple(csvTable, fc.boolean(), fc.constantFrom('none', 'none', 'stray-quote', 'extra-field', 'open-quote'))
  .map(([table, crlf, damage]) => {
    let text = csvText(table, crlf);
    if (damage === 'stray-quote') text = `${text}a"b${','.repeat(table.header.length - 1)}\n`;
    if (damage === 'extra-field') text = `${text}${'x,'.repeat(table.header.length)}x\n`;
    if (damage === 'open-quote') text = `${text}"never closed\n`;
    const clean = damage === 'none' && table.rows.length > 0 && csvHeaderUsable(table.header);
    return { format: 'csv', text, expected: clean ? table.rows.map((row) => Object.fromEntries(table.header.map((name, i) => [name, row[i]]))) : undefined };
  });

const input = fc.oneof(jsonlInput, jsonInput, csvInput);
/** Where the reads of the file end: a reader must not care, even inside a UTF-8 character. */
const cuts = fc.array(fc.nat(), { maxLength: 8 });

async function* pieces(bytes: Buffer, at: readonly number[]): AsyncGenerator<Buffer> {
  await Promise.resolve();
  let start = 0;
  for (const cut of [...new Set(at.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    if (cut > start) yield bytes.subarray(start, cut);
    start = Math.max(start, cut);
  }
  if (start < bytes.length) yield bytes.subarray(start);
}

/** The records in the jobs of one batch, in chunk order, decoded from their stored bodies. */
async function queuedRecords(batchId: string): Promise<unknown[][]> {
  const jobs = (await ops.queues.upload.getJobs(['prioritized', 'waiting'])).map((job) => parseJobData(job.data));
  const chunks: unknown[][] = [];
  for (const data of jobs) {
    if (data.kind !== 'write' || data.batchId !== batchId) continue;
    const body = await ops.redis.getBuffer(data.blobKey);
    const decoded = JSON.parse(gunzipSync(body ?? Buffer.alloc(0)).toString('utf8')) as unknown[];
    expect(decoded).toHaveLength(data.records);
    chunks.push(decoded);
  }
  return chunks;
}

function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** One batch per run, so what a run left behind is the batch's whole content. */
let day = 0;
function nextDate(): string {
  day += 1;
  return new Date(Date.UTC(2001, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
}

/** Sorted canonical texts: chunks are queued in parallel, so their order in the queue is not the file's. */
function canonical(list: readonly unknown[]): string[] {
  return list.map((r) => JSON.stringify(r)).sort();
}

test('hostile files, read in pieces cut anywhere: a typed refusal naming the place and value, whole chunks only, clean files exact', async () => {
  const outcomes = { clean: 0, imported: 0, refusedAtOnce: 0, refusedLater: 0 };
  await fc.assert(
    fc.asyncProperty(input, byteMutation, cuts, async (file, mutation: ByteMutation, at) => {
      const date = nextDate();
      const batchId = `item/history_sync/${date}`;
      const clean = file.expected !== undefined && keepsContent(mutation);
      let last: ImportProgress | undefined;
      try {
        const result = await importFile({
          file: '-',
          format: file.format,
          stdin: pieces(encodeText(file.text, mutation), at),
          batch: () => ops.producer.batch('item', 'history_sync', date),
          limits: LIMITS,
          onProgress: (p) => {
            last = p;
          },
        });
        outcomes.imported += 1;
        const status = await ops.producer.batch('item', 'history_sync', date).then(async (b) => await b.status());
        expect(status).toMatchObject({ records: result.records, chunks: result.chunks });
        const queued = await queuedRecords(batchId);
        expect(queued).toHaveLength(result.chunks);
        expect(queued.every((chunk) => chunk.length <= LIMITS.maxRecords && chunk.every(isPlainObject))).toBe(true);
        if (clean) {
          outcomes.clean += 1;
          expect(canonical(queued.flat())).toEqual(canonical(file.expected ?? []));
        }
      } catch (error) {
        // (a)+(b): only a typed refusal, naming where in the input and what it found.
        if (!(error instanceof InvalidInputError)) throw error;
        // A clean file is never refused.
        expect(clean).toBe(false);
        expect(error.field).toMatch(/^stdin\b/);
        expect(error.message).toContain('(got ');
        // (c): exactly the whole chunks reported, and no batch opened before the first one.
        const status = (await ops.producer.batches()).find((b) => b.batchId === batchId);
        if (last === undefined) {
          outcomes.refusedAtOnce += 1;
          expect(status).toBeUndefined();
        } else {
          outcomes.refusedLater += 1;
          expect(status).toMatchObject({ state: 'open', records: last.records, chunks: last.chunks });
          expect((await queuedRecords(batchId)).flat()).toHaveLength(last.records);
        }
      }
    }),
    // No shrinking: each shrink step re-imports through Redis, and large texts would outlast the test's timeout.
    { numRuns: 250, endOnFailure: true },
  );
  // Control: every branch above was taken.
  expect(outcomes.clean).toBeGreaterThan(30);
  expect(outcomes.refusedAtOnce).toBeGreaterThan(10);
  expect(outcomes.refusedLater).toBeGreaterThan(0);
}, 60_000);

test('byteair-sync import on hostile files: exit 0, or exit 2 with one line naming the file and place; never a crash', async () => {
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(input, byteMutation, async (file, mutation) => {
      day += 1;
      const name = temp.write(`f${day}.${file.format}`, encodeText(file.text, mutation));
      const run = await runCli(
        ['import', '--topic', 'item', '--stage', 'history_sync', '--date', nextDate(), '--file', name, '--quiet'],
        operatorEnv(redis, ENV),
      );
      if (run.code === 0) {
        expect(run.stderr).toBe('');
        return;
      }
      refused += 1;
      expect(run.code).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`^byteair-sync: INVALID_INPUT: ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b.*\\(got `));
    }),
    { numRuns: 10 },
  );
  expect(refused).toBeGreaterThan(0);
}, 60_000);

test('control: a record one level under the nesting cap is imported, one level over is refused by name', async () => {
  const nested = (levels: number): string => `{"deep":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
  const run = async (text: string): Promise<unknown> =>
    await importFile({
      file: '-',
      format: 'jsonl',
      stdin: pieces(Buffer.from(text), []),
      batch: () => ops.producer.batch('item', 'history_sync', nextDate()),
      limits: LIMITS,
    }).catch((e: unknown) => e);
  expect(await run(nested(MAX_RECORD_DEPTH))).toMatchObject({ records: 1 });
  const over = await run(nested(MAX_RECORD_DEPTH + 1));
  expect(over).toBeInstanceOf(InvalidInputError);
  expect(over).toMatchObject({ field: 'stdin line 1.deep', value: `more than ${MAX_RECORD_DEPTH} levels` });
  // Deeper than the stack reaches (about 5 000 levels) yet under the line cap: refused the same way, not a RangeError.
  expect(await run(nested(8_000))).toMatchObject({ field: 'stdin line 1.deep' });
});
