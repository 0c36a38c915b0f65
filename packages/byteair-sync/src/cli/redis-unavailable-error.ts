import { ByteairSyncError } from '../errors/byteair-sync-error.js';

/** A command could not reach Redis; `target` is host:port only, never a URL's password. */
export class RedisUnavailableError extends ByteairSyncError {
  readonly code = 'REDIS_UNAVAILABLE';
  constructor(
    readonly target: string,
    reason: string,
  ) {
    super(`cannot reach Redis at ${target} (${reason}); check REDIS_URL / REDIS_CLUSTER_NODES and that Redis is running`, { target });
  }
}
