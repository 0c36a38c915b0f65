import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DEFAULT_ID_FIELDS } from 'byteair-emulator';
import { InvalidInputError } from '../../src/errors/invalid-input-error.js';
import { startIngestServer, type RunningIngestServer } from '../../src/http/ingest-server.js';
import { importFile } from '../../src/import/import-file.js';
import { INGEST_TOKEN, send } from '../http/support/ingest-client.js';
import { startTestSystem, type TestSystem } from '../../../../test/support/system.js';
import { eventually } from '../../../../test/support/eventually.js';
import { csvTable, csvText, dataDate, goodRecord, jsonArrayText, ndjsonLayout, ndjsonText, todayUtc, type RecordText } from './support/hostile-input.js';

/**
 * Bad input stops at the edge: no job is created that later fails for a reason the edge could have
 * seen. Hostile but acceptable input (prototype keys, NULs, lone surrogates, huge and tiny
 * numbers, deep nesting under the cap, long strings, BOMs, CRLF, gzip, CSV quoting, calendar
 * edge dates) goes in through HTTP ingest and file import; a real worker uploads it to the
 * emulator, which checks bodies, dates and stage order strictly (--strict-ordering). Every
 * batch is sealed, so every Done runs too. Then: no failed job, no 400 from the emulator, and
 * it holds exactly the records the edges accepted.
 */
const TODAY = todayUtc();
const ENV = {
  BYTEAIR_INGEST_TOKEN: INGEST_TOKEN,
  BYTEAIR_DATE_ZONE: 'UTC',
  BYTEAIR_MAX_RECORDS_PER_REQUEST: '4',
  BYTEAIR_STREAM_BATCH_SIZE: '4',
  BYTEAIR_MAX_REQUEST_BYTES: '8192',
  BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior',
  // Fail fast: a job that fails must show up within the test, not after minutes of backoff.
  BYTEAIR_ATTEMPTS: '2',
};

let system: TestSystem;
let ingest: RunningIngestServer;

beforeAll(async () => {
  system = await startTestSystem({ env: ENV, emulatorArgs: ['--strict-ordering', '--streaming-only-topics', 'behavior', '--date-zone', 'UTC'] });
  ingest = await startIngestServer(system.config, { host: '127.0.0.1', port: 0 });
  await system.startWorker().ready;
}, 60_000);
afterAll(async () => {
  await ingest.close();
  await system.stop();
});

/** Records with an id, so the emulator's ledger can count them; the rest is hostile. */
const idRecords = fc.array(goodRecord, { minLength: 1, maxLength: 9 });
function withIds(list: readonly RecordText[], prefix: string): RecordText[] {
  return list.map((r, i) => ({ ...r, text: r.text === '{}' ? `{"id":"${prefix}-${i}"}` : `{"id":"${prefix}-${i}",${r.text.slice(1)}` }));
}

/** The whole file as one read, on a later tick as a stream would hand it over. */
async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  await Promise.resolve();
  yield bytes;
}

const target = fc.record({
  topic: fc.constantFrom('item', 'user'),
  stage: fc.constantFrom('pre_sync', 'history_sync', 'incremental_sync_daily'),
  date: dataDate(TODAY),
});

const step = fc.oneof(
  fc.record({ via: fc.constant('http-batch' as const), target, records: idRecords, ndjson: fc.option(ndjsonLayout), gzip: fc.boolean(), bom: fc.boolean() }),
  fc.record({
    via: fc.constant('http-stream' as const),
    topic: fc.constantFrom('item', 'user', 'behavior'),
    records: idRecords,
    ndjson: fc.option(ndjsonLayout),
    gzip: fc.boolean(),
    bom: fc.boolean(),
  }),
  fc.record({
    via: fc.constant('import' as const),
    target,
    records: idRecords,
    format: fc.constantFrom('jsonl', 'json', 'csv'),
    table: csvTable,
    bom: fc.boolean(),
  }),
);

test('whatever the edges accept uploads without a failed job or a refusal the edge could have seen', async () => {
  let n = 0;
  let streamed = 0;
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(step, async (s) => {
      n += 1;
      const list = withIds(s.records, `r${n}`);
      const bom = s.bom ? '\ufeff' : '';
      if (s.via === 'import') {
        const text =
          s.format === 'csv' ? csvText(s.table, n % 2 === 0) : s.format === 'json' ? jsonArrayText(list, n % 2 === 0) : ndjsonText(list, false, [], true);
        const result = await importFile({
          file: '-',
          format: s.format,
          stdin: once(Buffer.from(bom + text)),
          batch: () => system.ops.producer.batch(s.target.topic, s.target.stage, s.target.date),
          limits: { maxRecords: 4, maxBytes: 8192 },
        }).catch((error: unknown) => {
          if (error instanceof InvalidInputError) return undefined;
          throw error;
        });
        if (result !== undefined) accepted += 1;
        return;
      }
      const body = s.ndjson === null ? jsonArrayText(list, false) : ndjsonText(list, s.ndjson.crlf, s.ndjson.blanks, s.ndjson.finalBreak);
      const bytes = Buffer.from(bom + body);
      const path =
        s.via === 'http-stream'
          ? `/v1/streams/${s.topic}/records`
          : `/v1/batches/${s.target.topic}/${s.target.stage}/${encodeURIComponent(s.target.date)}/records`;
      const answer = await send(ingest.url, path, {
        headers: { 'content-type': s.ndjson === null ? 'application/json' : 'application/x-ndjson', ...(s.gzip ? { 'content-encoding': 'gzip' } : {}) },
        body: s.gzip ? gzipSync(bytes) : bytes,
      });
      expect(answer.status).toBeLessThan(500);
      if (answer.status === 202) {
        accepted += 1;
        if (s.via === 'http-stream') streamed += Number(answer.body.accepted);
      }
    }),
    { numRuns: 100 },
  );
  expect(accepted).toBeGreaterThan(20);

  // Streaming waits for each topic's first daily Done (stage order): give item and user one.
  for (const topic of ['item', 'user']) {
    const daily = await system.ops.producer.batch(topic, 'incremental_sync_daily', '2010-01-01');
    await daily.add([{ id: `${topic}-daily-control`, [DEFAULT_ID_FIELDS[topic] ?? 'id']: `${topic}-daily-control` }]);
  }
  for (const batch of await system.ops.producer.batches()) {
    if (batch.state === 'open') await (await system.ops.producer.batch(batch.topic, batch.stage, batch.date)).seal();
  }

  const { upload, done } = system.ops.queues;
  const failed = async (): Promise<string[]> =>
    [...(await upload.getJobs(['failed'])), ...(await done.getJobs(['failed']))].map(
      (job) => `${job.name} ${JSON.stringify(job.data).slice(0, 200)}: ${job.failedReason}`,
    );
  await eventually(
    async () => {
      if ((await failed()).length > 0) return true;
      const batches = await system.ops.producer.batches();
      const intake = await Promise.all(['item', 'user', 'behavior'].map(async (t) => await system.ops.redis.xlen(system.ops.keys.intake(t))));
      const counts = await Promise.all(
        [upload, done].map(async (q) => await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')),
      );
      const busy = counts.some((c) => Object.values(c).some((v) => v > 0));
      return batches.every((b) => b.state === 'done-acked') && intake.every((l) => l === 0) && !busy ? true : undefined;
    },
    'every batch acked and every intake drained, or a failed job',
    40_000,
    200,
  );

  expect(await failed()).toEqual([]);
  const stats = await system.emulator.stats();
  expect(stats.badRequests).toEqual({});
  expect(stats.orderingViolations).toEqual([]);
  const batched = (await system.ops.producer.batches()).reduce((sum, b) => sum + b.records, 0);
  expect(stats.totals.acceptedRecords + stats.totals.rejectedRecords).toBe(batched + streamed);
}, 60_000);
