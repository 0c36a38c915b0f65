import type { OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';
import type { RedisClient } from 'byteair-sync/internal/src/redis/connection.js';
import { idFieldOf, offlineRecord, offlineRecordId } from '../chaos/chaos-records.js';
import { openProductionProducer } from '../chaos/production-producer.js';
import { StreamLoad } from '../chaos/stream-load.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { eventually } from '../support/eventually.js';

/**
 * With `appendfsync always`, a producer call that resolved survives a SIGKILL
 * of Redis: after a restart from the same data dir everything acknowledged is there, and it is
 * later uploaded exactly once. The producer here uses the production connection settings
 * (openOperations without a client of the test's own), so a call fails fast while Redis is down.
 */
const TOPIC_STREAM = 'behavior';
const BATCH = { topic: 'item', stage: 'history_sync', date: '2022-04-01' } as const;
const PER_ADD = 1_000;

interface AddLoop {
  /** add() calls that resolved, in order; call k holds records [k*PER_ADD, (k+1)*PER_ADD). */
  acknowledged: number;
  stopped: Promise<void>;
  stop(): void;
}

/** Adds PER_ADD records at a time until stopped; an add that fails (Redis away) is made again. */
function startAddLoop(handle: OperationsHandle): AddLoop {
  let running = true;
  const loop: AddLoop = {
    acknowledged: 0,
    stopped: Promise.resolve(),
    stop: () => {
      running = false;
    },
  };
  loop.stopped = (async () => {
    const batch = await handle.producer.batch(BATCH.topic, BATCH.stage, BATCH.date);
    while (running) {
      const k = loop.acknowledged;
      try {
        await batch.add(Array.from({ length: PER_ADD }, (_, i) => offlineRecord(BATCH.topic, BATCH.stage, BATCH.date, k * PER_ADD + i, false)));
        loop.acknowledged += 1;
      } catch {
        // Redis is away: try again once the producer's connection is back, not on a timer.
        await connected(handle.redis);
      }
    }
  })();
  return loop;
}

/** Resolves at once when the client is connected, else on its next "ready". */
async function connected(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
}

/** Progress of the load since a mark: what a kill waits for instead of a stretch of time. */
interface Progress {
  readonly adds: number;
  readonly pushed: number;
  readonly accepted: number;
}

async function progress(system: TestSystem, stream: StreamLoad, adds: AddLoop): Promise<Progress> {
  const pushed = stream.figures().find((f) => f.topic === TOPIC_STREAM)?.acknowledged ?? 0;
  return { adds: adds.acknowledged, pushed, accepted: (await system.emulator.stats()).totals.acceptedRecords };
}

/** Waits until, since `from`, at least `adds` more add() calls and `pushed` more records were acknowledged and `accepted` more records uploaded. */
async function progressed(system: TestSystem, stream: StreamLoad, loop: AddLoop, from: Progress, more: Progress): Promise<Progress> {
  return await eventually(
    async () => {
      const now = await progress(system, stream, loop);
      return now.adds - from.adds >= more.adds && now.pushed - from.pushed >= more.pushed && now.accepted - from.accepted >= more.accepted ? now : undefined;
    },
    `the load to progress by ${JSON.stringify(more)} from ${JSON.stringify(from)}`,
    60_000,
  );
}

/** A kill point in units of progress, varied from run to run as the 1-3 s of load before it were. */
function somewhatMore(adds: number, pushed: number, accepted: number): Progress {
  const scale = 1 + Math.random() * 2;
  return { adds: Math.round(adds * scale), pushed: Math.round(pushed * scale), accepted: Math.round(accepted * scale) };
}

/** Re-adds every acknowledged call and the one that may have been in flight (a no-op for those already there), then seals. */
async function completeBatch(handle: OperationsHandle, adds: number): Promise<number> {
  const batch = await handle.producer.batch(BATCH.topic, BATCH.stage, BATCH.date);
  for (let k = 0; k <= adds; k += 1)
    await batch.add(Array.from({ length: PER_ADD }, (_, i) => offlineRecord(BATCH.topic, BATCH.stage, BATCH.date, k * PER_ADD + i, false)));
  await batch.seal();
  return (adds + 1) * PER_ADD;
}

async function intakeIds(system: TestSystem, handle: OperationsHandle): Promise<Map<string, number>> {
  const client = system.redis?.client();
  if (client === undefined) throw new Error('no Redis client');
  const counts = new Map<string, number>();
  const entries = await client.xrange(handle.keys.intake(TOPIC_STREAM), '-', '+');
  for (const [, fields] of entries) {
    const id = String((JSON.parse(fields[1] ?? '{}') as Record<string, unknown>)[idFieldOf(TOPIC_STREAM)]);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  await client.quit();
  return counts;
}

async function waitUploaded(system: TestSystem, handle: OperationsHandle, streamed: number): Promise<void> {
  await eventually(
    async () => {
      const [batch] = (await handle.producer.batches()).filter((b) => b.topic === BATCH.topic);
      const stats = await system.emulator.stats();
      return batch?.state === 'done-acked' && (stats.topics[TOPIC_STREAM]?.acceptedRecords ?? 0) >= streamed ? true : undefined;
    },
    'the batch to be done and the stream to be uploaded',
    120_000,
    200,
  );
}

/** Every acknowledged id accepted exactly once; nothing else accepted but what may have been sent. */
async function expectExactlyOnce(system: TestSystem, topic: string, acknowledged: readonly string[], mayAlsoHold: readonly string[] = []): Promise<void> {
  const ledger = await system.emulator.ledger(topic);
  expect(acknowledged.filter((id) => ledger.get(id) !== 1)).toEqual([]);
  expect([...ledger.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  const allowed = new Set([...acknowledged, ...mayAlsoHold]);
  expect([...ledger.keys()].filter((id) => !allowed.has(id))).toEqual([]);
}

describe('appendfsync always: acknowledged producer calls survive SIGKILL of Redis', () => {
  let system: TestSystem;
  let handle: OperationsHandle;

  beforeEach(async () => {
    system = await startTestSystem({
      appendFsync: 'always',
      env: { BYTEAIR_STREAMING_ONLY_TOPICS: TOPIC_STREAM },
      emulatorArgs: ['--streaming-only-topics', TOPIC_STREAM],
    });
    handle = openProductionProducer(system);
  });

  afterEach(async () => {
    await handle.close();
    await system.stop();
  });

  test('killed right after an acknowledgement: every acknowledged push and add is in Redis after the restart, then uploaded exactly once', async () => {
    const stream = new StreamLoad(handle.intake, [{ topic: TOPIC_STREAM, perPush: 20, everyMs: 2 }]);
    stream.start();
    const adds = startAddLoop(handle);
    // Killed once both loads have had acknowledgements (no workers: nothing is uploaded yet).
    await progressed(system, stream, adds, await progress(system, stream, adds), somewhatMore(1, 1_500, 0));
    // The push in flight is let through first: a push in flight at the crash may be applied
    // twice when ioredis resends it after the restart (docs/durability.md, known gaps).
    await stream.quiesce();
    const ackedAdds = adds.acknowledged;
    adds.stop();
    await system.restartRedis('sigkill', 300);
    await adds.stopped;

    const acknowledged = stream.acknowledgedIds(TOPIC_STREAM);
    expect(acknowledged.length).toBeGreaterThan(1_000);
    expect(ackedAdds).toBeGreaterThan(0);
    const inIntake = await intakeIds(system, handle);
    expect(acknowledged.filter((id) => inIntake.get(id) !== 1)).toEqual([]);
    const [batch] = await handle.producer.batches();
    expect(batch?.chunks).toBeGreaterThanOrEqual(ackedAdds);
    expect(batch?.records).toBeGreaterThanOrEqual(ackedAdds * PER_ADD);
    // An add in flight at the kill may have registered its chunk and not yet enqueued its job
    // (REGISTER goes first so that the same add made again completes it; completeBatch below
    // does): every chunk has its job but at most that one.
    const queued = await system.ops.queues.upload.count();
    const withoutJob = (batch?.chunks ?? 0) - queued;
    expect(queued).toBeGreaterThanOrEqual(ackedAdds);
    expect(withoutJob).toBeGreaterThanOrEqual(0);
    expect(withoutJob).toBeLessThanOrEqual(1);

    stream.resume();
    const records = await completeBatch(handle, adds.acknowledged);
    await stream.stop();
    const workers = [system.startWorker(), system.startWorker()];
    await Promise.all(workers.map(async (w) => await w.ready));
    const streamed = stream.acknowledgedIds(TOPIC_STREAM);
    await waitUploaded(system, handle, streamed.length);
    await expectExactlyOnce(system, TOPIC_STREAM, streamed, stream.unknownIds(TOPIC_STREAM));
    await expectExactlyOnce(
      system,
      BATCH.topic,
      Array.from({ length: records }, (_, n) => offlineRecordId(BATCH.topic, BATCH.stage, BATCH.date, n)),
    );
    expect((await system.emulator.stats()).dones).toHaveLength(1);
  }, 180_000);

  test('killed twice while workers upload: every acknowledged record uploaded exactly once, one Done, no failed job', async () => {
    const workers = [system.startWorker(), system.startWorker()];
    await Promise.all(workers.map(async (w) => await w.ready));
    const stream = new StreamLoad(handle.intake, [{ topic: TOPIC_STREAM, perPush: 50, everyMs: 5 }]);
    stream.start();
    const adds = startAddLoop(handle);
    let mark = await progress(system, stream, adds);
    for (let kill = 0; kill < 2; kill += 1) {
      // Killed while the workers upload: records accepted since the start or the last restart, and new acknowledgements of both loads.
      await progressed(system, stream, adds, mark, somewhatMore(1, 1_000, 1_000));
      await stream.quiesce();
      await system.restartRedis('sigkill', 300);
      stream.resume();
      mark = await progress(system, stream, adds);
    }
    // Everything works again after the second restart: both loads acknowledged and the workers upload.
    await progressed(system, stream, adds, mark, { adds: 1, pushed: 500, accepted: 500 });
    adds.stop();
    await adds.stopped;
    await stream.stop();
    const records = await completeBatch(handle, adds.acknowledged);
    const streamed = stream.acknowledgedIds(TOPIC_STREAM);
    await waitUploaded(system, handle, streamed.length);
    await expectExactlyOnce(system, TOPIC_STREAM, streamed, stream.unknownIds(TOPIC_STREAM));
    await expectExactlyOnce(
      system,
      BATCH.topic,
      Array.from({ length: records }, (_, n) => offlineRecordId(BATCH.topic, BATCH.stage, BATCH.date, n)),
    );
    const stats = await system.emulator.stats();
    expect(stats.dones).toHaveLength(1);
    expect(stats.totals.orderingViolations).toBe(0);
    const failed = (await system.ops.queues.upload.getFailedCount()) + (await system.ops.queues.done.getFailedCount());
    expect(failed).toBe(0);
  }, 240_000);
});
