import type { StreamSettlement } from '../processor/sync-processor.js';
import type { WriteJobData } from '../queue/job-data.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { INTAKE_SETTLE } from './intake-scripts.js';

/** The upload side of streaming bookkeeping: a chunk leaves the in-flight set when it settles or fails for good. */
export class RedisStreamSettlement implements StreamSettlement {
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;

  constructor(redis: RedisClient, keys: Keyspace) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async settled(job: WriteJobData, acceptedRecords: number): Promise<void> {
    await INTAKE_SETTLE.run(this.#redis, [this.#keys.intakeInflight(job.topic), this.#keys.intakeMeta(job.topic)], [job.requestId, acceptedRecords]);
  }

  /** A failed chunk no longer holds back the batcher; replaying it later settles it normally. */
  async failed(job: WriteJobData): Promise<void> {
    await INTAKE_SETTLE.run(this.#redis, [this.#keys.intakeInflight(job.topic), this.#keys.intakeMeta(job.topic)], [job.requestId, 0]);
  }
}
