import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ByteairSyncError } from '../../src/errors/byteair-sync-error.js';
import { InvalidInputError } from '../../src/errors/invalid-input-error.js';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import { parseJobData } from '../../src/queue/job-data.js';
import { testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';

/**
 * Hostile input: whatever the producer API is handed, no process crashes, bad input
 * is refused at the edge with a typed error naming the field, and every job that does get
 * created carries exactly the records given, as valid JSON objects, so it cannot fail later
 * for a reason the edge could have seen.
 */
let redis: TestRedis;
let ops: OperationsHandle;

beforeAll(async () => {
  redis = await startTestRedis('prop');
  ops = openOperations(testConfig(redis, { BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior', BYTEAIR_MAX_RECORDS_PER_REQUEST: '7', BYTEAIR_STREAM_BATCH_SIZE: '7' }), {
    redis: redis.client(),
  });
});
afterAll(async () => {
  await ops.close();
  await redis.stop();
});

class Thing {
  readonly x = 1;
}

/** Values JSON can carry, and values it cannot. */
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const hostileValue = fc.oneof(
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.bigInt(),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
  fc.constant(new Date(0)),
  fc.constant(new Map()),
  fc.constant(new Thing()),
  fc.constant(Buffer.from('x')),
  fc.constant([undefined]),
);
const goodRecord = fc.dictionary(fc.string({ maxLength: 12 }), jsonValue, { maxKeys: 6 });
const anyRecord = fc.oneof(
  { weight: 6, arbitrary: goodRecord },
  { weight: 2, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(jsonValue, hostileValue), { minKeys: 1, maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(jsonValue, { maxLength: 3 }), hostileValue) },
);

// Weighted towards valid values, so the record checks are reached often too.
const topic = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('item', 'user', 'behavior') }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });
const stage = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('pre_sync', 'history_sync', 'incremental_sync_daily', 'incremental_sync_streaming') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const date = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  },
  fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2022-02-30', '2022-13-01', '20220101', '2022/01/01', '', ' 2022-01-01 ', '9999-99-99'),
  fc.string({ maxLength: 12 }),
);

function isPlainJsonObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

test('offline batches: bad input is refused by name, good input becomes exactly its records', async () => {
  let counter = 0;
  let added = 0;
  let refusedRecords = 0;
  await fc.assert(
    fc.asyncProperty(topic, stage, date, fc.array(anyRecord, { maxLength: 20 }), async (t, s, d, records) => {
      counter += 1;
      let batch;
      try {
        batch = await ops.producer.batch(t, s, d);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(['topic', 'stage', 'date']).toContain((error as InvalidInputError).field);
        return;
      }
      const before = new Set((await ops.queues.upload.getJobs(['prioritized', 'waiting'])).map((j) => j.id));
      try {
        const result = await batch.add(records);
        expect(result.records).toBe(records.length);
        added += 1;
      } catch (error) {
        // Refused at the edge: typed, naming the field (records[i]... or records).
        expect(error).toBeInstanceOf(ByteairSyncError);
        if (error instanceof InvalidInputError) expect(error.field).toMatch(/^records/);
        refusedRecords += 1;
      }
      // Every job created is valid and carries plain JSON objects only.
      const created = (await ops.queues.upload.getJobs(['prioritized', 'waiting'])).filter((j) => !before.has(j.id));
      for (const job of created) {
        const data = parseJobData(job.data);
        if (data.kind !== 'write') throw new Error('only writes here');
        const body = await ops.redis.getBuffer(data.blobKey);
        const decoded = JSON.parse(gunzipSync(body ?? Buffer.alloc(0)).toString('utf8')) as unknown[];
        expect(decoded).toHaveLength(data.records);
        expect(decoded.every(isPlainJsonObject)).toBe(true);
        expect(data.records).toBeLessThanOrEqual(7);
      }
    }),
    { numRuns: 150 },
  );
  expect(counter).toBeGreaterThanOrEqual(150);
  // Control: the generators reach both the success path and the record checks.
  expect(added).toBeGreaterThan(5);
  expect(refusedRecords).toBeGreaterThan(5);
});

test('streaming push: bad input is refused whole, good input is appended exactly', async () => {
  let appended = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(topic, fc.oneof(anyRecord, fc.array(anyRecord, { maxLength: 15 })), async (t, records) => {
      const key = ops.keys.intake(typeof t === 'string' ? t : '');
      const before = await ops.redis.xlen(key);
      try {
        const result = await ops.intake.push(t, records);
        const count = Array.isArray(records) ? records.length : 1;
        expect(result.accepted).toBe(count);
        expect(await ops.redis.xlen(key)).toBe(before + count);
        appended += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(await ops.redis.xlen(key)).toBe(before);
        refused += 1;
      }
    }),
    { numRuns: 150 },
  );
  expect(appended).toBeGreaterThan(5);
  expect(refused).toBeGreaterThan(5);
});
