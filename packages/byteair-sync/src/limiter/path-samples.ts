import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { LuaScript } from '../redis/lua-script.js';
import { LimiterProtocolError } from './limiter-errors.js';
import type { PathSample } from './path-spread.js';

/**
 * A pooled sample is dropped with its host's list after this long without a new one: a fleet
 * back from a long idle measures its path afresh rather than trusting what it was.
 */
export const PATH_SAMPLES_TTL_MS = 600_000;

// KEYS: the host's list. ARGV: sample, kept, ttlMs → the list, oldest first.
const ADD = new LuaScript(
  `redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('LRANGE', KEYS[1], 0, -1)`,
  1,
);

/**
 * The answer timings of every worker, pooled per API host in Redis (the latest `kept`). A
 * worker alone gets an answer only every few hundred ms at the ceiling (5 requests per second
 * of 10 000 records, shared by the fleet), so on its own it takes seconds to gather the 8 a
 * margin needs and minutes to reach the 256 whose small-sample factor is 1.43
 * (path-spread.ts), booking wider windows meanwhile; pooled, the count grows with the fleet's
 * rate. The workers of one deployment reach the same hosts, so their samples describe one
 * path, and one spread across machines covers the differences between their delays too,
 * which is what two of their requests arriving a window apart are exposed to.
 */
export class SharedPathSamples {
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;
  readonly #kept: number;
  readonly #ttlMs: number;

  constructor(redis: RedisClient, keys: Keyspace, kept: number, ttlMs = PATH_SAMPLES_TTL_MS) {
    this.#redis = redis;
    this.#keys = keys;
    this.#kept = kept;
    this.#ttlMs = ttlMs;
  }

  /** Adds one answer's timing and returns the host's pooled samples, this one last. */
  async add(host: string, sample: PathSample): Promise<PathSample[]> {
    const reply = await ADD.run(this.#redis, [this.#keys.limiterPath(host)], [encode(sample), this.#kept, this.#ttlMs]);
    if (!Array.isArray(reply)) throw new LimiterProtocolError(`path samples script answered ${JSON.stringify(reply)}`);
    return reply.map(decode);
  }
}

/** `answer` or `answer:continue`, in ms to a tenth. */
function encode(sample: PathSample): string {
  const answer = tenths(sample.answerMs);
  return sample.continueMs === undefined ? answer : `${answer}:${tenths(sample.continueMs)}`;
}

function tenths(ms: number): string {
  return String(Math.round(ms * 10) / 10);
}

function decode(entry: unknown): PathSample {
  const [answer, continued, extra] = String(entry).split(':');
  const answerMs = Number(answer);
  const continueMs = continued === undefined ? undefined : Number(continued);
  if (extra !== undefined || answer === '' || !(answerMs >= 0) || (continueMs !== undefined && (continued === '' || !(continueMs >= 0))))
    throw new LimiterProtocolError(`pooled path sample ${JSON.stringify(entry)} is not "answerMs" or "answerMs:continueMs"`);
  return continueMs === undefined ? { answerMs } : { answerMs, continueMs };
}
