import type { TopicConfig } from '../config/config.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { LuaScript } from '../redis/lua-script.js';
import { serializeRecord } from '../validation/json-record.js';
import { parseTopic } from '../validation/sync-target.js';
import { IntakeFullError } from './intake-errors.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/** Records per atomic append; a larger push is several appends, each all-or-nothing. */
export const PUSH_GROUP = 5_000;

// KEYS: intake, meta. ARGV: cap, record... Appends all records or none.
const PUSH = new LuaScript(
  `
local n = #ARGV - 1
if redis.call('XLEN', KEYS[1]) + n > tonumber(ARGV[1]) then return false end
local last
for i = 2, #ARGV do last = redis.call('XADD', KEYS[1], '*', 'r', ARGV[i]) end
redis.call('HINCRBY', KEYS[2], 'uncut', n)
redis.call('HINCRBY', KEYS[2], 'pushed', n)
return last
`,
  2,
);

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

  /** Validates every record first (nothing is appended if one is bad), then appends. */
  async push(topic: string, records: unknown, field = 'records'): Promise<PushResult> {
    const topicConfig = parseTopic(topic, this.#topics);
    const list: readonly unknown[] = Array.isArray(records) ? records : [records];
    if (list.length === 0) return { accepted: 0, lastEntry: '' };
    const texts = list.map((record, i) => {
      const path = Array.isArray(records) ? `${field}[${i}]` : field;
      const text = serializeRecord(record, path);
      const bytes = Buffer.byteLength(text);
      if (bytes > this.#maxRecordBytes) throw new InvalidInputError(path, `${bytes} bytes`, `is larger than one request may carry (BYTEAIR_MAX_REQUEST_BYTES=${this.#maxRecordBytes + 2})`);
      return text;
    });
    let accepted = 0;
    let lastEntry = '';
    for (let start = 0; start < texts.length; start += PUSH_GROUP) {
      const group = texts.slice(start, start + PUSH_GROUP);
      const result = await PUSH.run(this.#redis, [this.#keys.intake(topicConfig.name), this.#keys.intakeMeta(topicConfig.name)], [this.#cap, ...group]);
      if (typeof result !== 'string') throw new IntakeFullError(topicConfig.name, this.#cap, accepted);
      accepted += group.length;
      lastEntry = result;
    }
    return { accepted, lastEntry };
  }
}
