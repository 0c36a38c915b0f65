import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.js';

type Arg = string | number | Buffer;

/**
 * A Lua script run by EVALSHA, falling back to EVAL once when the server does not know it
 * yet (a fresh or restarted Redis). Works on a single Redis and on a Cluster, where the
 * client routes by the first key; all our keys share one hash tag, so one slot.
 */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;
  readonly #keyCount: number;

  constructor(source: string, keyCount: number) {
    this.#source = source;
    this.#keyCount = keyCount;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    if (keys.length !== this.#keyCount) throw new Error(`script expects ${this.#keyCount} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(this.#sha, this.#keyCount, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return await redis.eval(this.#source, this.#keyCount, ...keys, ...args);
    }
  }
}
