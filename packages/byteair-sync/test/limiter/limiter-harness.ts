import type { Redis } from 'ioredis';
import type { LimiterPriority } from '../../src/limiter/rate-limiter.js';
import type { LimiterGrant, RedisRateLimiter } from '../../src/limiter/sliding-window-limiter.js';

export interface RecordedGrant extends LimiterGrant {
  readonly records: number;
  readonly priority: LimiterPriority;
  /** Which acquirer loop (or process) asked. */
  readonly owner: string;
  /** Sequence number of the acquire() call, in call order across every loop of the harness. */
  readonly callNo: number;
  /** Start, as the window audit wants it. */
  readonly start: number;
}

/** Redis TIME in epoch ms: the only clock the limiter uses, so the only one the tests compare with. */
export async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

export interface LoadRun {
  readonly grants: RecordedGrant[];
  /** Resolves when every loop has finished its last acquire. */
  readonly done: Promise<void>;
  /** Calls made so far (each loop is either waiting in one or about to make one). */
  calls(): number;
  stop(): void;
}

/**
 * `loops` acquirers on one limiter, each acquiring again as soon as it is granted, until
 * stop() or until `until(grant)` says so. Grants are recorded as they come.
 */
export function runLoad(
  limiter: RedisRateLimiter,
  options: {
    loops: number;
    priority: LimiterPriority;
    size: () => number;
    owner?: string;
    until?: (grant: RecordedGrant) => boolean;
    counter?: { next: number };
  },
): LoadRun {
  const grants: RecordedGrant[] = [];
  const counter = options.counter ?? { next: 0 };
  let stopped = false;
  let calls = 0;
  const loop = async (index: number): Promise<void> => {
    while (!stopped) {
      const records = options.size();
      const callNo = counter.next++;
      calls += 1;
      const grant = await limiter.acquire(records, options.priority);
      const recorded: RecordedGrant = {
        ...grant,
        records,
        priority: options.priority,
        owner: `${options.owner ?? options.priority}#${index}`,
        callNo,
        start: grant.startAt,
      };
      grants.push(recorded);
      if (options.until?.(recorded) === true) stopped = true;
    }
  };
  const done = Promise.all(Array.from({ length: options.loops }, (_, i) => loop(i))).then(() => undefined);
  return {
    grants,
    done,
    calls: () => calls,
    stop: () => {
      stopped = true;
    },
  };
}

/** Limiter tests poll recorded grants and Redis time this often: close enough to the event that a window edge is not overshot. */
export const LIMITER_POLL_MS = 5;
