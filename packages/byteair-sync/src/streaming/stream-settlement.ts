import type { StreamSettlement } from '../processor/sync-processor.js';
import type { WriteJobData } from '../queue/job-data.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { INTAKE_FAIL, INTAKE_SETTLE } from './intake-scripts.js';

/**
 * The upload side of streaming bookkeeping: a chunk leaves the in-flight set when it settles
 * or fails for good, and a settled chunk is remembered for the replay window.
 */
export class RedisStreamSettlement implements StreamSettlement {
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;
  readonly #retentionMs: number;

  constructor(redis: RedisClient, keys: Keyspace, retentionMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#retentionMs = retentionMs;
  }

  async settled(job: WriteJobData, acceptedRecords: number): Promise<void> {
    await INTAKE_SETTLE.run(
      this.#redis,
      [this.#keys.intakeInflight(job.topic), this.#keys.intakeMeta(job.topic), this.#keys.intakeSettled(job.topic)],
      [job.requestId, acceptedRecords, this.#retentionMs],
    );
  }

  /** A re-run of a chunk the API already answered (its worker died before BullMQ heard). */
  async isSettled(job: WriteJobData): Promise<boolean> {
    return (await this.#redis.zscore(this.#keys.intakeSettled(job.topic), job.requestId)) !== null;
  }

  /** A failed chunk no longer holds back the batcher; replaying it later settles it normally. */
  async failed(job: WriteJobData): Promise<void> {
    await INTAKE_FAIL.run(this.#redis, [this.#keys.intakeInflight(job.topic)], [job.requestId]);
  }
}
