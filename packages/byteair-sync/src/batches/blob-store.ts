import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';

/**
 * Where chunk bodies (gzip JSON, made once at enqueue) wait for upload: the claim-check
 * pattern, so jobs stay tiny. Redis by default; anything durable can implement this.
 */
export interface BlobStore {
  /** Stores the bytes under a key derived from the Request-Id; idempotent. */
  put(requestId: string, body: Buffer): Promise<string>;
  get(blobKey: string): Promise<Buffer | null>;
  delete(blobKey: string): Promise<void>;
}

export class RedisBlobStore implements BlobStore {
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;

  constructor(redis: RedisClient, keys: Keyspace) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async put(requestId: string, body: Buffer): Promise<string> {
    const key = this.#keys.blob(requestId);
    await this.#redis.set(key, body);
    return key;
  }

  async get(blobKey: string): Promise<Buffer | null> {
    return await this.#redis.getBuffer(blobKey);
  }

  async delete(blobKey: string): Promise<void> {
    await this.#redis.unlink(blobKey);
  }
}
