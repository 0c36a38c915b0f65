import type { Queue } from 'bullmq';
import { OFFLINE_STAGES, type OfflineStage, type Stage } from '../byteair/stage.js';
import type { Clock } from '../clock.js';
import type { TopicConfig, TopicMode } from '../config/config.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { LuaScript } from '../redis/lua-script.js';
import type { Logger } from '../observability/logger.js';
import type { WriteJobData } from '../queue/job-data.js';
import { ModeChangeRefusedError } from './guard-errors.js';
import { decideModeDeclaration, decideUpload, type TopicGuardState } from './stage-rules.js';
import type { GateDecision, UploadGate } from './upload-gate.js';

// Compare-and-set of the mode: the rules live in stage-rules.ts; this only makes sure nobody
// changed the state between our read and our write. KEYS: guard. ARGV: expectedMode|'', expectedStarted|'', newMode
const SET_MODE = new LuaScript(
  `
local mode = redis.call('HGET', KEYS[1], 'mode') or ''
local started = redis.call('HGET', KEYS[1], 'streamingStartedAt') or ''
if mode ~= ARGV[1] or started ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'mode', ARGV[3])
return 1
`,
  1,
);

// The first streaming upload fixes the topic's mode for good, atomically with the mode check.
// KEYS: guard. ARGV: expectedMode, now
const MARK_STREAMING = new LuaScript(
  `
if (redis.call('HGET', KEYS[1], 'mode') or '') ~= ARGV[1] then return 0 end
redis.call('HSETNX', KEYS[1], 'streamingStartedAt', ARGV[2])
return 1
`,
  1,
);

/**
 * The stage-ordering guard backed by Redis: per (application, topic) state shared by every
 * process. Holding spends no attempts and polls nothing per job: a held job is parked in
 * BullMQ's delayed set and registered here; the Done that lifts the hold promotes it.
 */
export class RedisStageGuard implements UploadGate {
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;
  readonly #topics: ReadonlyMap<string, TopicConfig>;
  readonly #uploadQueue: Queue | undefined;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: { redis: RedisClient; keys: Keyspace; topics: readonly TopicConfig[]; uploadQueue?: Queue; clock: Clock; logger: Logger }) {
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#topics = new Map(options.topics.map((t) => [t.name, t]));
    this.#uploadQueue = options.uploadQueue;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** Records the configured mode of every topic; refuses to start if one would change after streaming began. */
  async declareModes(): Promise<void> {
    for (const topic of this.#topics.values()) await this.declareMode(topic.name, topic.mode);
  }

  async declareMode(topic: string, declared: TopicMode): Promise<void> {
    for (;;) {
      const fields = await this.#redis.hmget(this.#keys.guard(topic), 'mode', 'streamingStartedAt');
      const storedMode = (fields[0] ?? null) as TopicMode | null;
      const started = fields[1] ?? null;
      const decision = decideModeDeclaration({ mode: storedMode, streamingStartedAt: started === null ? null : Number(started) }, declared, topic);
      if (decision.kind === 'unchanged') return;
      if (decision.kind === 'refuse') throw new ModeChangeRefusedError(decision.reason, { topic, stored: storedMode, declared });
      const ok = await SET_MODE.run(this.#redis, [this.#keys.guard(topic)], [storedMode ?? '', started ?? '', decision.mode]);
      if (ok === 1) return;
      // Someone changed the state between our read and write: decide again on fresh data.
    }
  }

  async state(topic: string): Promise<TopicGuardState> {
    return (await this.#read(topic)).state;
  }

  /** The state, and the mode exactly as Redis holds it ('' when unset; the state falls back to the config's). */
  async #read(topic: string): Promise<{ state: TopicGuardState; storedMode: string }> {
    const config = this.#topics.get(topic);
    const [fields, ...open] = await Promise.all([
      this.#redis.hgetall(this.#keys.guard(topic)),
      ...OFFLINE_STAGES.map(async (stage) => await this.#redis.scard(this.#keys.batchesNotDone(topic, stage))),
    ]);
    const openBatches = Object.fromEntries(OFFLINE_STAGES.map((stage, i) => [stage, open[i] ?? 0])) as Record<OfflineStage, number>;
    const mode = (fields.mode as TopicMode | undefined) ?? config?.mode ?? 'daily-then-streaming';
    const state: TopicGuardState = {
      topic,
      mode,
      stageOrder: config?.stageOrder ?? true,
      firstDailyDone: fields.firstDailyDoneDate === undefined ? null : { date: fields.firstDailyDoneDate, at: Number(fields.firstDailyDoneAt ?? 0) },
      streamingStartedAt: fields.streamingStartedAt === undefined ? null : Number(fields.streamingStartedAt),
      openBatches,
    };
    return { state, storedMode: fields.mode ?? '' };
  }

  async admit(job: WriteJobData): Promise<GateDecision> {
    return await this.decide(job.topic, job.stage);
  }

  /** The decision for one upload of `stage`; a streaming 'go' also fixes the topic's mode. */
  async decide(topic: string, stage: Stage): Promise<GateDecision> {
    for (;;) {
      const { state, storedMode } = await this.#read(topic);
      const decision = decideUpload(state, stage);
      if (decision.kind !== 'go' || stage !== 'incremental_sync_streaming' || state.streamingStartedAt !== null) return decision;
      // Compared with what Redis holds, not the configured mode the state may fall back to:
      // with no mode stored the two differ, and the loop would never end.
      const marked = await MARK_STREAMING.run(this.#redis, [this.#keys.guard(topic)], [storedMode, this.#clock.now()]);
      if (marked === 1) return decision;
    }
  }

  async park(job: WriteJobData, jobId: string): Promise<'held' | 'released'> {
    await this.#redis.sadd(this.#keys.guardHeld(job.topic, job.stage), jobId);
    // A Done may have lifted the hold between our decision and the SADD; it would not have
    // seen this job in the set, so look again now that it is registered.
    const decision = await this.decide(job.topic, job.stage);
    if (decision.kind === 'hold') return 'held';
    await this.#redis.srem(this.#keys.guardHeld(job.topic, job.stage), jobId);
    return 'released';
  }

  async onDoneAcknowledged(topic: string, stage: string, date: string): Promise<void> {
    if (stage === 'incremental_sync_daily') {
      const key = this.#keys.guard(topic);
      // Only the first daily Done counts; HSETNX keeps the earliest.
      if ((await this.#redis.hsetnx(key, 'firstDailyDoneDate', date)) === 1) {
        await this.#redis.hset(key, 'firstDailyDoneAt', this.#clock.now());
        this.#logger.info({ topic, date }, 'first daily Done acknowledged: streaming may flow');
      }
    }
    await this.releaseHeld(topic);
    // Wakes the streaming batchers at once instead of at their next tick.
    await this.#redis.publish(this.#keys.guardEvents, topic);
  }

  /** Promotes every parked job of the topic whose hold has ended. */
  async releaseHeld(topic: string): Promise<number> {
    const state = await this.state(topic);
    let released = 0;
    for (const stage of [...OFFLINE_STAGES, 'incremental_sync_streaming'] as const) {
      if (decideUpload(state, stage).kind === 'hold') continue;
      const key = this.#keys.guardHeld(topic, stage);
      for (const jobId of await this.#redis.smembers(key)) {
        const job = await this.#uploadQueue?.getJob(jobId);
        try {
          await job?.promote();
          released += 1;
        } catch {
          // Not delayed any more (its safety timer fired, or it is running): nothing to release.
        }
        await this.#redis.srem(key, jobId);
      }
    }
    return released;
  }

  /** How many jobs of the topic are parked, per stage. */
  async heldCounts(topic: string): Promise<Record<Stage, number>> {
    const stages = [...OFFLINE_STAGES, 'incremental_sync_streaming'] as const;
    const counts = await Promise.all(stages.map(async (stage) => await this.#redis.scard(this.#keys.guardHeld(topic, stage))));
    return Object.fromEntries(stages.map((stage, i) => [stage, counts[i] ?? 0])) as Record<Stage, number>;
  }
}
