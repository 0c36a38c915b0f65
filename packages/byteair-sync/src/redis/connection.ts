import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A client for either a single Redis or a Redis Cluster; the code above never cares which. */
export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  readonly url: string;
  /** host:port seeds; non-empty means Redis Cluster. */
  readonly clusterNodes: readonly string[];
}

export type ConnectionRole =
  /** Workers and blocking readers: never give up on a command (BullMQ requires this). */
  | 'worker'
  /** Producers, CLI, HTTP handlers: fail fast so the caller hears about an outage. */
  | 'producer';

/**
 * Closing while Redis is down (status "reconnecting") makes ioredis 6 arm its destroy-the-socket
 * timer on the socket that has already closed, whose close event never comes again: that timer
 * (2 s by default, not unref'd) kept a stopped dashboard or CLI process alive after close().
 * A socket still open when this runs out is only being closed anyway.
 */
const DISCONNECT_TIMEOUT_MS = 100;

function baseOptions(role: ConnectionRole): RedisOptions {
  return role === 'worker'
    ? { maxRetriesPerRequest: null, enableReadyCheck: true }
    : { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5_000, disconnectTimeout: DISCONNECT_TIMEOUT_MS };
}

export function createRedis(target: RedisTarget, role: ConnectionRole, name?: string): RedisClient {
  const options: RedisOptions = { ...baseOptions(role), ...(name === undefined ? {} : { connectionName: name }) };
  if (target.clusterNodes.length > 0) {
    const nodes = target.clusterNodes.map((node) => {
      const index = node.lastIndexOf(':');
      return index < 0 ? { host: node, port: 6379 } : { host: node.slice(0, index), port: Number(node.slice(index + 1)) };
    });
    const clusterOptions: ClusterOptions = { redisOptions: options, enableOfflineQueue: true, ...(role === 'worker' ? {} : { maxRedirections: 16 }) };
    return new Cluster(nodes, clusterOptions);
  }
  return new Redis(target.url, options);
}

/** quit() when connected, disconnect() otherwise; never throws. */
export async function closeRedis(client: RedisClient): Promise<void> {
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}
