import type { OfflineStage } from '../byteair/stage.js';
import { isOfflineStage } from '../byteair/stage.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { LuaScript } from '../redis/lua-script.js';
import { batchIdOf, type BatchRef } from './batch-id.js';
import { BatchClosedError, BatchNotFoundError, EmptyBatchError } from './batch-errors.js';
import { isBatchState, type BatchState } from './batch-state.js';

/** What the store remembers of one chunk of a batch (enough to re-create its job). */
export interface ChunkMeta {
  readonly requestId: string;
  readonly blobKey: string;
  readonly records: number;
  readonly bytes: number;
}

export interface BatchStatus extends BatchRef {
  readonly batchId: string;
  readonly state: BatchState;
  readonly createdAt: number;
  readonly sealedAt: number | null;
  readonly doneDueAt: number | null;
  readonly doneAckedAt: number | null;
  readonly chunks: number;
  readonly records: number;
  readonly bytes: number;
  readonly settledChunks: number;
  readonly acceptedRecords: number;
  readonly rejectedRecords: number;
  readonly duplicateChunks: number;
  /** Chunks that failed for good, with the reason; they keep the batch from its Done. */
  readonly failedChunks: ReadonlyArray<{ readonly requestId: string; readonly reason: string; readonly at: number }>;
}

export type RegisterOutcome = 'new' | 'registered' | 'settled';
export type SettleOutcome = 'settled' | 'done-due' | 'already';

// KEYS: batch, index, notDone. ARGV: batchId, topic, stage, date, now
const OPEN = new LuaScript(
  `
local state = redis.call('HGET', KEYS[1], 'state')
if state then return state end
redis.call('HSET', KEYS[1], 'topic', ARGV[2], 'stage', ARGV[3], 'date', ARGV[4], 'state', 'open', 'createdAt', ARGV[5],
  'chunks', 0, 'records', 0, 'bytes', 0, 'settledChunks', 0, 'acceptedRecords', 0, 'rejectedRecords', 0, 'duplicateChunks', 0)
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 'open'
`,
  3,
);

// KEYS: batch, chunks, settled. ARGV: chunkId, meta, records, bytes
// The state check and the registration are one step, so no chunk can slip in after seal.
const REGISTER = new LuaScript(
  `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state ~= 'open' then return 'closed:' .. state end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'chunks', 1)
  redis.call('HINCRBY', KEYS[1], 'records', ARGV[3])
  redis.call('HINCRBY', KEYS[1], 'bytes', ARGV[4])
  return 'new'
end
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 'settled' end
return 'registered'
`,
  3,
);

// KEYS: batch, chunks, settled, failed, doneDue. ARGV: chunkId, accepted, rejected, duplicate, batchId, now
// Exactly one caller ever sees 'done-due' for a batch: the SADD and the count check are atomic.
const SETTLE = new LuaScript(
  `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 'unknown' end
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return 'already' end
local settled = redis.call('HINCRBY', KEYS[1], 'settledChunks', 1)
redis.call('HINCRBY', KEYS[1], 'acceptedRecords', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'rejectedRecords', ARGV[3])
if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[1], 'duplicateChunks', 1) end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'sealed' and settled == tonumber(redis.call('HGET', KEYS[1], 'chunks')) then
  redis.call('HSET', KEYS[1], 'state', 'done-due', 'doneDueAt', ARGV[6])
  redis.call('SADD', KEYS[5], ARGV[5])
  return 'done-due'
end
return 'settled'
`,
  5,
);

// KEYS: batch, doneDue. ARGV: batchId, now
const SEAL = new LuaScript(
  `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state ~= 'open' then return 'already:' .. state end
local chunks = tonumber(redis.call('HGET', KEYS[1], 'chunks'))
if chunks == 0 then return 'empty' end
redis.call('HSET', KEYS[1], 'state', 'sealed', 'sealedAt', ARGV[2])
if tonumber(redis.call('HGET', KEYS[1], 'settledChunks')) == chunks then
  redis.call('HSET', KEYS[1], 'state', 'done-due', 'doneDueAt', ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
  return 'done-due'
end
return 'sealed'
`,
  2,
);

// KEYS: batch, doneDue, notDone. ARGV: batchId, now
const ACK = new LuaScript(
  `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state == 'done-acked' then return 'already' end
redis.call('HSET', KEYS[1], 'state', 'done-acked', 'doneAckedAt', ARGV[2])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 'acked'
`,
  3,
);

function toNumber(value: string | undefined): number {
  return value === undefined ? 0 : Number(value);
}

function toTime(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}

/**
 * Redis state of offline batches: which chunks exist, which are settled, and the one
 * transition to done-due that creates the Done job (DESIGN.md invariant 6).
 */
export class BatchStore {
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;

  constructor(redis: RedisClient, keys: Keyspace) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** Opens the batch if it does not exist; returns its state (open, or whatever it already is). */
  async open(ref: BatchRef, now: number): Promise<BatchState> {
    const batchId = batchIdOf(ref);
    const state = await OPEN.run(
      this.#redis,
      [this.#keys.batch(batchId), this.#keys.batchIndex, this.#keys.batchesNotDone(ref.topic, ref.stage)],
      [batchId, ref.topic, ref.stage, ref.date, now],
    );
    return this.#state(state, batchId);
  }

  /** Records a chunk in an open batch; throws BatchClosedError when it is not open. */
  async registerChunk(batchId: string, meta: ChunkMeta): Promise<RegisterOutcome> {
    const result = String(
      await REGISTER.run(
        this.#redis,
        [this.#keys.batch(batchId), this.#keys.batchChunks(batchId), this.#keys.batchSettled(batchId)],
        [meta.requestId, JSON.stringify(meta), meta.records, meta.bytes],
      ),
    );
    if (result === 'missing') throw new BatchNotFoundError(batchId);
    if (result.startsWith('closed:')) throw new BatchClosedError(batchId, this.#state(result.slice('closed:'.length), batchId));
    return result as RegisterOutcome;
  }

  /** A chunk got 0, 409 or 1001. Returns 'done-due' to exactly one caller, when the batch's Done is due. */
  async settleChunk(
    batchId: string,
    requestId: string,
    counts: { accepted: number; rejected: number; duplicate: boolean },
    now: number,
  ): Promise<SettleOutcome | 'unknown'> {
    const result = await SETTLE.run(
      this.#redis,
      [
        this.#keys.batch(batchId),
        this.#keys.batchChunks(batchId),
        this.#keys.batchSettled(batchId),
        this.#keys.batchFailed(batchId),
        this.#keys.batchesDoneDue,
      ],
      [requestId, counts.accepted, counts.rejected, counts.duplicate ? '1' : '0', batchId, now],
    );
    return String(result) as SettleOutcome | 'unknown';
  }

  async isChunkSettled(batchId: string, requestId: string): Promise<boolean> {
    return (await this.#redis.sismember(this.#keys.batchSettled(batchId), requestId)) === 1;
  }

  /** Seals the batch; 'done-due' when every chunk is already settled. Sealing twice is a no-op. */
  async seal(batchId: string, now: number): Promise<{ state: BatchState; doneDue: boolean }> {
    const result = String(await SEAL.run(this.#redis, [this.#keys.batch(batchId), this.#keys.batchesDoneDue], [batchId, now]));
    if (result === 'missing') throw new BatchNotFoundError(batchId);
    if (result === 'empty') throw new EmptyBatchError(batchId);
    if (result.startsWith('already:')) return { state: this.#state(result.slice('already:'.length), batchId), doneDue: false };
    return { state: this.#state(result, batchId), doneDue: result === 'done-due' };
  }

  /** The Done was acknowledged by the API. Returns false when it already was. */
  async markDoneAcknowledged(ref: BatchRef, now: number): Promise<boolean> {
    const batchId = batchIdOf(ref);
    const result = String(
      await ACK.run(this.#redis, [this.#keys.batch(batchId), this.#keys.batchesDoneDue, this.#keys.batchesNotDone(ref.topic, ref.stage)], [batchId, now]),
    );
    if (result === 'missing') throw new BatchNotFoundError(batchId);
    return result === 'acked';
  }

  /** A chunk failed for good: remember why, so status can say what keeps the batch open. */
  async recordChunkFailure(batchId: string, requestId: string, reason: string, now: number): Promise<void> {
    await this.#redis.hset(this.#keys.batchFailed(batchId), requestId, JSON.stringify({ reason, at: now }));
  }

  async chunkMetas(batchId: string): Promise<ChunkMeta[]> {
    const all = await this.#redis.hgetall(this.#keys.batchChunks(batchId));
    return Object.values(all).map((text) => JSON.parse(text) as ChunkMeta);
  }

  /** Batch ids whose Done is due and not yet acknowledged (the reconciler re-adds their Done jobs). */
  async doneDueBatchIds(): Promise<string[]> {
    return await this.#redis.smembers(this.#keys.batchesDoneDue);
  }

  /** Batch ids of a (topic, stage) that are not done-acked yet. */
  async notDoneBatchIds(topic: string, stage: OfflineStage): Promise<string[]> {
    return await this.#redis.smembers(this.#keys.batchesNotDone(topic, stage));
  }

  /** Batch ids, newest first. */
  async list(limit = 1000): Promise<string[]> {
    return await this.#redis.zrevrange(this.#keys.batchIndex, 0, limit - 1);
  }

  async status(batchId: string): Promise<BatchStatus | null> {
    const [fields, failed] = await Promise.all([this.#redis.hgetall(this.#keys.batch(batchId)), this.#redis.hgetall(this.#keys.batchFailed(batchId))]);
    if (fields.state === undefined) return null;
    const stage = fields.stage;
    if (!isOfflineStage(stage)) throw new Error(`batch ${batchId} has a corrupt stage ${String(stage)}`);
    return {
      batchId,
      topic: fields.topic ?? '',
      stage,
      date: fields.date ?? '',
      state: this.#state(fields.state, batchId),
      createdAt: toNumber(fields.createdAt),
      sealedAt: toTime(fields.sealedAt),
      doneDueAt: toTime(fields.doneDueAt),
      doneAckedAt: toTime(fields.doneAckedAt),
      chunks: toNumber(fields.chunks),
      records: toNumber(fields.records),
      bytes: toNumber(fields.bytes),
      settledChunks: toNumber(fields.settledChunks),
      acceptedRecords: toNumber(fields.acceptedRecords),
      rejectedRecords: toNumber(fields.rejectedRecords),
      duplicateChunks: toNumber(fields.duplicateChunks),
      failedChunks: Object.entries(failed).map(([requestId, text]) => {
        const parsed = JSON.parse(text) as { reason: string; at: number };
        return { requestId, reason: parsed.reason, at: parsed.at };
      }),
    };
  }

  #state(value: unknown, batchId: string): BatchState {
    if (!isBatchState(value)) throw new Error(`batch ${batchId} has a corrupt state ${JSON.stringify(value)}`);
    return value;
  }
}
