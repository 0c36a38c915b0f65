import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startPrivateRedis, type PrivateRedis } from 'byteair-emulator';

/**
 * The Redis a test file works against: REDIS_URL when set, else a private redis-server
 * started for this file (random port, temp dir) and stopped in afterAll.
 */
export interface TestRedis {
  readonly url: string;
  /** A key prefix (hash tag) of this file's own, so files can share one Redis. */
  readonly prefix: string;
  /** A new client; closed for you in stop(). */
  client(): Redis;
  stop(): Promise<void>;
}

export async function startTestRedis(label = 't'): Promise<TestRedis> {
  const external = process.env.REDIS_URL ?? '';
  const server: PrivateRedis | undefined = external === '' ? await startPrivateRedis() : undefined;
  const url = server?.url ?? external;
  const prefix = uniquePrefix(label);
  const clients: Redis[] = [];
  return {
    url,
    prefix,
    client() {
      const redis = new Redis(url, { maxRetriesPerRequest: null });
      clients.push(redis);
      return redis;
    },
    async stop() {
      if (server === undefined) {
        const cleaner = new Redis(url, { maxRetriesPerRequest: 3 });
        try {
          await deleteKeysWithPrefix(cleaner, prefix);
        } finally {
          await cleaner.quit();
        }
      }
      for (const client of clients) await client.quit().catch(() => client.disconnect());
      await server?.stop();
    },
  };
}

export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under a test prefix; never FLUSHDB on a Redis other files share. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
