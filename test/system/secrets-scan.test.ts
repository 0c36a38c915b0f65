import type { RedisClient } from 'byteair-sync/internal/src/redis/connection.js';
import { createRedis, closeRedis } from 'byteair-sync/internal/src/redis/connection.js';
import { produceAndSeal, waitForAllDone, type ScenarioBatch } from '../support/offline-scenario.js';
import { TEST_SK, TEST_TOKEN } from '../support/pipeline.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { eventually } from '../support/eventually.js';

/**
 * Invariant 8: after a full run (offline batches, streaming, 1001 rejections, retries on
 * 503s and resets), no key or value in Redis and no log line of a worker holds the SK or
 * the token, in any of the forms a leak could take.
 */
const BATCHES: readonly ScenarioBatch[] = [{ topic: 'item', stage: 'history_sync', date: '2022-04-01', records: 3_000 }];

function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex'), encodeURIComponent(secret)];
}

async function everythingInRedis(redis: RedisClient): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      parts.push(key);
      const type = await redis.type(key);
      if (type === 'string') parts.push((await redis.getBuffer(key))?.toString('latin1') ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } while (cursor !== '0');
  return parts.join('\n');
}

async function run(auth: 'volc' | 'air', secret: string): Promise<void> {
  const system: TestSystem = await startTestSystem({
    auth,
    // Default attempts: with 25 % transient faults, a 2-attempt budget fails a chunk for good in
    // about half the runs, and a failed chunk keeps its batch from Done.
    env: { BYTEAIR_LOG_LEVEL: 'trace' },
    emulatorArgs: ['--p503', '0.2', '--p-reset', '0.05', '--reject-record', '{"field":"bad","equals":true,"reason":"bad record"}'],
  });
  try {
    const worker = system.startWorker();
    await worker.ready;
    await system.ops.intake.push('behavior', [{ bhv_id: 'b1' }, { bhv_id: 'b2', bad: true }]);
    await produceAndSeal(system, BATCHES);
    await waitForAllDone(system, BATCHES, 120_000);
    await system.ops.producer.batch('user', 'history_sync', '2022-04-02').then(async (b) => await b.add([{ user_id: 'u1' }]));
    await eventually(async () => ((await system.ops.operations.status()).queues.upload.waiting === 0 ? true : undefined), 'the queue to drain', 60_000);
    await worker.kill('SIGTERM');
    const redis = createRedis(system.config.redis, 'producer');
    try {
      const dump = await everythingInRedis(redis);
      expect(dump.length).toBeGreaterThan(1000);
      for (const form of forms(secret)) expect(dump.includes(form)).toBe(false);
    } finally {
      await closeRedis(redis);
    }
    const log = worker.log();
    expect(log.length).toBeGreaterThan(0);
    for (const form of forms(secret)) expect(log.includes(form)).toBe(false);
  } finally {
    await system.stop();
  }
}

test('volc auth: no trace of the SK in Redis or the worker log', async () => {
  await run('volc', TEST_SK);
}, 240_000);

test('air auth: no trace of the token in Redis or the worker log', async () => {
  await run('air', TEST_TOKEN);
}, 240_000);
