import { Redis } from 'ioredis';
import { ByteairSyncError } from 'byteair-sync/internal/src/errors/byteair-sync-error.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

export class PrivateClusterStartError extends ByteairSyncError {
  readonly code = 'PRIVATE_CLUSTER_START_FAILED';
}

export interface PrivateCluster {
  /** `host:port` of every master, the REDIS_CLUSTER_NODES value. */
  readonly nodes: readonly string[];
  readonly servers: readonly PrivateRedis[];
  stop(): Promise<void>;
}

const SLOTS = 16_384;

/**
 * A Redis Cluster of `masters` private redis-server processes on loopback (no replicas),
 * built with CLUSTER ADDSLOTSRANGE and MEET rather than redis-cli, for tests and benches
 * that prove the system runs unchanged on a cluster.
 */
export async function startPrivateCluster(options: { masters?: number; timeoutMs?: number } = {}): Promise<PrivateCluster> {
  const masters = options.masters ?? 3;
  const servers: PrivateRedis[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(servers.map(async (s) => await s.stop()));
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      servers.push(
        await startPrivateRedis({ extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'] }),
      );
    }
    const clients = servers.map((s) => new Redis({ host: s.host, port: s.port, maxRetriesPerRequest: 3 }));
    try {
      const per = Math.ceil(SLOTS / masters);
      await Promise.all(
        clients.map(async (client, i) => await client.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(SLOTS, (i + 1) * per) - 1))),
      );
      const [first] = clients;
      if (first === undefined) throw new PrivateClusterStartError('a cluster needs at least one master');
      for (const s of servers.slice(1)) await first.call('CLUSTER', 'MEET', s.host, String(s.port));
      const deadline = Date.now() + (options.timeoutMs ?? 20_000);
      for (;;) {
        const infos = await Promise.all(clients.map(async (c) => String(await c.call('CLUSTER', 'INFO'))));
        if (infos.every((info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`))) break;
        if (Date.now() > deadline)
          throw new PrivateClusterStartError(`cluster of ${masters} did not become ready: ${infos.join(' | ').replace(/\r?\n/g, ' ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await Promise.all(clients.map(async (c) => await c.quit()));
    }
    return { nodes: servers.map((s) => `${s.host}:${s.port}`), servers, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
