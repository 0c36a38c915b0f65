import type { RejectedRecord } from '../byteair/api-result.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';

export interface StoredRejection extends RejectedRecord {
  readonly requestId: string;
  readonly at: number;
}

/**
 * Records the API refused in 1001 answers, with the server's reason, per batch (or per
 * streaming topic). Keyed by Request-Id so storing twice (a re-run after a crash) is a
 * no-op, and so a later 409 for the same request still knows how many were refused.
 */
export class RejectedStore {
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;

  constructor(redis: RedisClient, keys: Keyspace) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async store(owner: string, requestId: string, rejected: readonly RejectedRecord[], now: number): Promise<void> {
    await this.#redis.hset(this.#keys.rejected(owner), requestId, JSON.stringify({ at: now, rejected }));
  }

  /** How many records of this request were refused earlier, or undefined if it never had a 1001. */
  async countFor(owner: string, requestId: string): Promise<number | undefined> {
    const text = await this.#redis.hget(this.#keys.rejected(owner), requestId);
    if (text === null) return undefined;
    return (JSON.parse(text) as { rejected: RejectedRecord[] }).rejected.length;
  }

  async list(owner: string): Promise<StoredRejection[]> {
    const all = await this.#redis.hgetall(this.#keys.rejected(owner));
    return Object.entries(all).flatMap(([requestId, text]) => {
      const parsed = JSON.parse(text) as { at: number; rejected: RejectedRecord[] };
      return parsed.rejected.map((r) => ({ requestId, at: parsed.at, data: r.data, reason: r.reason }));
    });
  }

  async count(owner: string): Promise<number> {
    return (await this.list(owner)).length;
  }
}

/** The rejected-records owner for a topic's streaming data. */
export function streamingOwner(topic: string): string {
  return `stream/${topic}`;
}
