import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startPrivateRedis, type PrivateRedis } from 'byteair-emulator';
import { uniquePrefix, type TestRedis } from './redis.js';

/** `graceful`: SHUTDOWN (the AOF is flushed and fsynced); `sigkill`: a crash. */
export type RedisRestartKind = 'graceful' | 'sigkill';

export type AppendFsync = 'always' | 'everysec';

export interface RestartableRedis extends TestRedis {
  readonly port: number;
  /** The data dir, kept across restarts, removed by stop(). */
  readonly dir: string;
  /** PID of the redis-server running now (it changes on every restart). */
  pid(): number;
  /**
   * Stops Redis and starts it again on the same port and dir after `downMs`, so it replays
   * its AOF and every client reconnects to the same address.
   */
  restart(kind: RedisRestartKind, downMs?: number): Promise<void>;
}

/**
 * A private redis-server with AOF persistence that a test may crash or stop and start
 * again. Never REDIS_URL: restarting a shared Redis is not a test's business.
 */
export async function startRestartableRedis(label: string, appendFsync: AppendFsync): Promise<RestartableRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'byteair-aof-'));
  let server: PrivateRedis = await startPrivateRedis({ appendOnly: appendFsync, dir });
  const { port, url } = server;
  const prefix = uniquePrefix(label);
  const clients: Redis[] = [];
  return {
    url,
    prefix,
    port,
    dir,
    pid: () => server.pid,
    client() {
      const redis = new Redis(url, { maxRetriesPerRequest: null });
      clients.push(redis);
      return redis;
    },
    async restart(kind, downMs = 0) {
      if (kind === 'graceful') await server.stop();
      else await server.kill();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await startPrivateRedis({ appendOnly: appendFsync, dir, port, startTimeoutMs: 60_000 });
    },
    async stop() {
      for (const client of clients) await client.quit().catch(() => client.disconnect());
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
