import { createHash, randomUUID } from 'node:crypto';
import type { TopicConfig } from '../config/config.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { LuaScript } from '../redis/lua-script.js';
import { serializeRecord } from '../validation/json-record.js';
import { parseTopic } from '../validation/sync-target.js';
import { IdempotencyKeyReusedError, IntakeFullError } from './intake-errors.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/** Records per atomic append; a larger push is several appends, each all-or-nothing. */
export const PUSH_GROUP = 5_000;

/** How long a push id is remembered: a resend within this window appends nothing. */
export const PUSH_ID_RETENTION_MS = 24 * 3_600_000;

// KEYS: intake, meta, pushIds (zset id → time), pushLast (hash id → last entry).
// ARGV: cap, pushId, retentionMs, fingerprint, requestField, record... Appends all records or
// none, once per push id: a command resent after a broken connection (ioredis does that) or a
// caller's retry with the same id finds the id and gets the first answer back instead of a
// second copy. The request field holds the fingerprint of the whole request the key was first
// used for: the same key with another body is refused before anything is appended, never
// answered as if it had been stored. It is re-stamped with every group, so it outlives them.
const PUSH = new LuaScript(
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, 100)
if #old > 0 then
  redis.call('ZREM', KEYS[3], unpack(old))
  redis.call('HDEL', KEYS[4], unpack(old))
end
local first = redis.call('HGET', KEYS[4], ARGV[5])
if first and first ~= ARGV[4] then return {'reused'} end
local seen = redis.call('HGET', KEYS[4], ARGV[2])
if seen then return {'stored', seen} end
local n = #ARGV - 5
if redis.call('XLEN', KEYS[1]) + n > tonumber(ARGV[1]) then return {'full'} end
local last
for i = 6, #ARGV do last = redis.call('XADD', KEYS[1], '*', 'r', ARGV[i]) end
redis.call('HINCRBY', KEYS[2], 'uncut', n)
redis.call('HINCRBY', KEYS[2], 'pushed', n)
redis.call('ZADD', KEYS[3], now, ARGV[2], now, ARGV[5])
redis.call('HSET', KEYS[4], ARGV[2], last, ARGV[5], ARGV[4])
return {'stored', last}
`,
  4,
);

/**
 * What identifies a request's content for its idempotency key: the same key with another
 * fingerprint is a different request. Callers with a body of their own (HTTP ingest) pass the
 * digest of that; otherwise it is the digest of the serialized records.
 */
export function pushFingerprint(parts: Iterable<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\n');
  return hash.digest('base64url');
}

export interface IntakePushOptions {
  /** The same key on a retry stores the records once (kept PUSH_ID_RETENTION_MS). */
  readonly idempotencyKey?: string;
  /** The request's content digest (pushFingerprint); default: that of the records pushed. */
  readonly fingerprint?: string;
}

export interface PushResult {
  readonly accepted: number;
  /** Intake position of the last record pushed. */
  readonly lastEntry: string;
}

/**
 * The durable front door of streaming data: one Redis stream per topic. push() resolves
 * only once the records are in Redis (DESIGN.md invariant 1).
 */
export class StreamIntake {
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;
  readonly #topics: readonly TopicConfig[];
  readonly #cap: number;

  readonly #maxRecordBytes: number;

  constructor(options: { redis: RedisClient; keys: Keyspace; topics: readonly TopicConfig[]; cap: number; maxRequestBytes: number }) {
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#topics = options.topics;
    this.#cap = options.cap;
    // A record must fit a request on its own: "[" + record + "]".
    this.#maxRecordBytes = options.maxRequestBytes - 2;
  }

  /**
   * Validates every record first (nothing is appended if one is bad), then appends in groups
   * of PUSH_GROUP, each all-or-nothing and each once only: pass the same `idempotencyKey`
   * when retrying a push whose answer was lost, and no record is stored twice. The same key
   * with other records is refused (IdempotencyKeyReusedError) before a record is appended.
   */
  async push(topic: string, records: unknown, field = 'records', options: IntakePushOptions = {}): Promise<PushResult> {
    const topicConfig = parseTopic(topic, this.#topics);
    const list: readonly unknown[] = Array.isArray(records) ? records : [records];
    if (list.length === 0) return { accepted: 0, lastEntry: '' };
    const texts = list.map((record, i) => {
      const path = Array.isArray(records) ? `${field}[${i}]` : field;
      const text = serializeRecord(record, path);
      const bytes = Buffer.byteLength(text);
      if (bytes > this.#maxRecordBytes)
        throw new InvalidInputError(path, `${bytes} bytes`, `is larger than one request may carry (BYTEAIR_MAX_REQUEST_BYTES=${this.#maxRecordBytes + 2})`);
      return text;
    });
    let accepted = 0;
    let lastEntry = '';
    // Without a caller's key, a random one still stops the client's own resend from doubling a group.
    const key = options.idempotencyKey ?? randomUUID();
    const fingerprint = options.fingerprint ?? pushFingerprint(texts);
    // `#r` cannot end a push id (`#<digits>`), so the request field never meets a group's.
    const requestField = `${key}#r`;
    const name = topicConfig.name;
    for (let start = 0; start < texts.length; start += PUSH_GROUP) {
      const group = texts.slice(start, start + PUSH_GROUP);
      const pushId = `${key}#${start / PUSH_GROUP}`;
      const keys = [this.#keys.intake(name), this.#keys.intakeMeta(name), this.#keys.intakePushIds(name), this.#keys.intakePushLast(name)];
      const [outcome, entry] = (await PUSH.run(this.#redis, keys, [this.#cap, pushId, PUSH_ID_RETENTION_MS, fingerprint, requestField, ...group])) as [
        string,
        string?,
      ];
      if (outcome === 'reused') throw new IdempotencyKeyReusedError(key, accepted);
      if (outcome !== 'stored' || entry === undefined) throw new IntakeFullError(topicConfig.name, this.#cap, accepted);
      accepted += group.length;
      lastEntry = entry;
    }
    return { accepted, lastEntry };
  }
}
