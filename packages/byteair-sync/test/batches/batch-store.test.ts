import { BatchClosedError, BatchNotFoundError, EmptyBatchError } from '../../src/batches/batch-errors.js';
import { batchIdOf, type BatchRef } from '../../src/batches/batch-id.js';
import { BatchStore, type ChunkMeta } from '../../src/batches/batch-store.js';
import { Keyspace } from '../../src/redis/keyspace.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';

let redis: TestRedis;
let store: BatchStore;
let keys: Keyspace;
let counter = 0;

beforeAll(async () => {
  redis = await startTestRedis('batch');
  keys = new Keyspace(redis.prefix);
  store = new BatchStore(redis.client(), keys);
});
afterAll(async () => {
  await redis.stop();
});

function freshRef(): BatchRef {
  counter += 1;
  return { topic: 'item', stage: 'history_sync', date: `2022-01-${String(counter).padStart(2, '0')}` };
}

function chunk(n: number, records = 10): ChunkMeta {
  return { requestId: `w-chunk${n}`, blobKey: `blob${n}`, records, bytes: records * 100 };
}

test('open is idempotent and reports the current state', async () => {
  const ref = freshRef();
  expect(await store.open(ref, 1)).toBe('open');
  expect(await store.open(ref, 2)).toBe('open');
  const status = await store.status(batchIdOf(ref));
  expect(status).toMatchObject({ state: 'open', createdAt: 1, chunks: 0, topic: 'item', stage: 'history_sync', date: ref.date });
});

test('registering the same chunk twice counts it once', async () => {
  const ref = freshRef();
  const id = batchIdOf(ref);
  await store.open(ref, 1);
  expect(await store.registerChunk(id, chunk(1))).toBe('new');
  expect(await store.registerChunk(id, chunk(1))).toBe('registered');
  expect(await store.registerChunk(id, chunk(2, 5))).toBe('new');
  expect(await store.status(id)).toMatchObject({ chunks: 2, records: 15, bytes: 1500 });
  expect((await store.chunkMetas(id)).map((c) => c.requestId).sort()).toEqual(['w-chunk1', 'w-chunk2']);
});

test('registering into an unknown batch is refused', async () => {
  await expect(store.registerChunk('item/pre_sync/1999-01-01', chunk(1))).rejects.toBeInstanceOf(BatchNotFoundError);
});

test('sealing an empty batch is refused; sealing with pending chunks waits; the last settle makes the Done due exactly once', async () => {
  const ref = freshRef();
  const id = batchIdOf(ref);
  await store.open(ref, 1);
  await expect(store.seal(id, 2)).rejects.toBeInstanceOf(EmptyBatchError);
  await store.registerChunk(id, chunk(1));
  await store.registerChunk(id, chunk(2));
  expect(await store.settleChunk(id, 'w-chunk1', { accepted: 10, rejected: 0, duplicate: false }, 3)).toBe('settled');
  expect(await store.seal(id, 4)).toEqual({ state: 'sealed', doneDue: false });
  await expect(store.registerChunk(id, chunk(3))).rejects.toBeInstanceOf(BatchClosedError);
  expect(await store.settleChunk(id, 'w-chunk2', { accepted: 8, rejected: 2, duplicate: true }, 5)).toBe('done-due');
  expect(await store.settleChunk(id, 'w-chunk2', { accepted: 8, rejected: 2, duplicate: true }, 6)).toBe('already');
  expect(await store.status(id)).toMatchObject({
    state: 'done-due',
    settledChunks: 2,
    acceptedRecords: 18,
    rejectedRecords: 2,
    duplicateChunks: 1,
    sealedAt: 4,
    doneDueAt: 5,
  });
  expect(await store.doneDueBatchIds()).toContain(id);
  expect(await store.seal(id, 7)).toEqual({ state: 'done-due', doneDue: false });
});

test('sealing a batch whose chunks are all settled makes the Done due at once', async () => {
  const ref = freshRef();
  const id = batchIdOf(ref);
  await store.open(ref, 1);
  await store.registerChunk(id, chunk(1));
  await store.settleChunk(id, 'w-chunk1', { accepted: 10, rejected: 0, duplicate: false }, 2);
  expect(await store.seal(id, 3)).toEqual({ state: 'done-due', doneDue: true });
});

test('acknowledging the Done closes the date for good', async () => {
  const ref = freshRef();
  const id = batchIdOf(ref);
  await store.open(ref, 1);
  await store.registerChunk(id, chunk(1));
  await store.seal(id, 2);
  await store.settleChunk(id, 'w-chunk1', { accepted: 10, rejected: 0, duplicate: false }, 3);
  expect(await store.notDoneBatchIds('item', 'history_sync')).toContain(id);
  expect(await store.markDoneAcknowledged(ref, 4)).toBe(true);
  expect(await store.markDoneAcknowledged(ref, 5)).toBe(false);
  expect(await store.doneDueBatchIds()).not.toContain(id);
  expect(await store.notDoneBatchIds('item', 'history_sync')).not.toContain(id);
  expect(await store.open(ref, 6)).toBe('done-acked');
  const error = await store.registerChunk(id, chunk(9)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BatchClosedError);
  expect(error).toMatchObject({ code: 'BATCH_CLOSED', state: 'done-acked' });
});

test('a failure is recorded and cleared when the chunk later settles (replay)', async () => {
  const ref = freshRef();
  const id = batchIdOf(ref);
  await store.open(ref, 1);
  await store.registerChunk(id, chunk(1));
  await store.recordChunkFailure(id, 'w-chunk1', 'AUTH_REJECTED: nope', 2);
  expect((await store.status(id))?.failedChunks).toEqual([{ requestId: 'w-chunk1', reason: 'AUTH_REJECTED: nope', at: 2 }]);
  await store.settleChunk(id, 'w-chunk1', { accepted: 10, rejected: 0, duplicate: false }, 3);
  expect((await store.status(id))?.failedChunks).toEqual([]);
});

test('many clients settling the last chunks at the same moment: exactly one sees done-due', async () => {
  const ref = freshRef();
  const id = batchIdOf(ref);
  await store.open(ref, 1);
  const n = 40;
  for (let i = 0; i < n; i += 1) await store.registerChunk(id, chunk(i, 1));
  await store.seal(id, 2);
  const stores = Array.from({ length: 8 }, () => new BatchStore(redis.client(), keys));
  // Every chunk settled twice, concurrently, from eight connections.
  const outcomes = await Promise.all(
    Array.from(
      { length: n * 2 },
      async (_, i) => await (stores[i % stores.length] as BatchStore).settleChunk(id, `w-chunk${i % n}`, { accepted: 1, rejected: 0, duplicate: false }, 3),
    ),
  );
  expect(outcomes.filter((o) => o === 'done-due')).toHaveLength(1);
  expect(outcomes.filter((o) => o === 'already')).toHaveLength(n);
  expect(await store.status(id)).toMatchObject({ state: 'done-due', settledChunks: n, acceptedRecords: n });
});

test('every key lives under the hash tag', async () => {
  const client = redis.client();
  const found = await client.keys('*');
  const ours = found.filter((key) => key.includes(redis.prefix));
  expect(ours.length).toBeGreaterThan(0);
  for (const key of ours) expect(key.startsWith(`{${redis.prefix}}:`)).toBe(true);
});
