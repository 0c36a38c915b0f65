import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { INTAKE_STATE } from './intake-scripts.js';

export interface IntakeStatus {
  /** Records ever pushed to the topic's intake. */
  readonly pushed: number;
  /** Records waiting to be cut into a chunk: the held backlog while the guard holds the topic. */
  readonly waiting: number;
  /** Age of the oldest waiting record, ms (0 when none). */
  readonly oldestWaitingMs: number;
  /** Chunks cut and not yet accepted by the API. */
  readonly chunksInFlight: number;
  /** Records the API accepted from this intake. */
  readonly accepted: number;
}

export async function readIntakeStatus(redis: RedisClient, keys: Keyspace, topic: string): Promise<IntakeStatus> {
  const [state, meta] = await Promise.all([
    INTAKE_STATE.run(
      redis,
      [keys.intake(topic), keys.intakeMeta(topic), keys.intakeCuts(topic), keys.intakeInflight(topic)],
      [Number.MAX_SAFE_INTEGER],
    ) as Promise<[number, string, number, string, number, string]>,
    redis.hmget(keys.intakeMeta(topic), 'pushed', 'accepted'),
  ]);
  const [now, , uncut, oldest, inFlight] = state;
  return {
    pushed: Number(meta[0] ?? 0),
    waiting: uncut,
    oldestWaitingMs: oldest === '' ? 0 : Math.max(0, now - Number(oldest.split('-')[0])),
    chunksInFlight: inFlight,
    accepted: Number(meta[1] ?? 0),
  };
}
