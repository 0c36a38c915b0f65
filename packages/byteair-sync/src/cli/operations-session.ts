import type { Config } from '../config/config.js';
import { ByteairSyncError } from '../errors/byteair-sync-error.js';
import { openOperations, type OperationsHandle } from '../operations/open-operations.js';
import { isRedisOutage, redisOutageReason } from '../redis/redis-outage.js';
import { RedisUnavailableError } from './redis-unavailable-error.js';

/** host:port of the configured Redis, for messages: a URL may carry a password. */
export function redisTarget(config: Config): string {
  if (config.redis.clusterNodes.length > 0) return config.redis.clusterNodes.join(',');
  try {
    const url = new URL(config.redis.url);
    return `${url.hostname}:${url.port === '' ? '6379' : url.port}`;
  } catch {
    return 'REDIS_URL';
  }
}

/**
 * Runs one operator command against Redis: opens the operations handle, checks Redis answers
 * (so an outage is one line naming the host, not a stack trace), and always closes it.
 */
export async function withOperations<T>(config: Config, use: (handle: OperationsHandle) => Promise<T>): Promise<T> {
  const handle = openOperations(config);
  let lastError: Error | undefined;
  // Without listeners ioredis and BullMQ print every reconnect failure themselves; keep the last for the one-line error.
  const onError = (error: Error): void => {
    lastError = error;
  };
  handle.redis.on('error', onError);
  handle.queues.upload.on('error', onError);
  handle.queues.done.on('error', onError);
  try {
    try {
      await handle.redis.ping();
    } catch (error) {
      const cause = lastError ?? (error instanceof Error ? error : undefined);
      const code = cause !== undefined && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
      const reason = code ?? cause?.message ?? String(error);
      throw new RedisUnavailableError(redisTarget(config), reason);
    }
    try {
      return await use(handle);
    } catch (error) {
      // Redis can go away after the ping (a long `push` from a pipe, a failover): that is the
      // same outage, so the same one line, not ioredis's stack as an "unexpected error".
      if (error instanceof ByteairSyncError || !isRedisOutage(error)) throw error;
      throw new RedisUnavailableError(redisTarget(config), redisOutageReason(lastError ?? error));
    }
  } finally {
    await handle.close();
    handle.redis.off('error', onError);
    handle.queues.upload.off('error', onError);
    handle.queues.done.off('error', onError);
  }
}
