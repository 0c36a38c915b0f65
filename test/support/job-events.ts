import { QueueEvents } from 'bullmq';
import type { RedisClient } from 'byteair-sync/internal/src/redis/connection.js';

/** The BullMQ job events a test can wait for. */
export type JobEventName = 'added' | 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'retries-exhausted' | 'stalled';

const NAMES: readonly JobEventName[] = ['added', 'waiting', 'active', 'completed', 'failed', 'delayed', 'retries-exhausted', 'stalled'];

/** One event from the queue's event stream, in stream order. */
export interface JobEvent {
  readonly name: JobEventName;
  readonly jobId: string;
  /** The event's id in the Redis stream: events of one queue are totally ordered by it. */
  readonly streamId: string;
  /** `completed`: what the processor returned. */
  readonly returnvalue?: unknown;
  /** `failed`: the error message BullMQ kept. */
  readonly failedReason?: string;
  /** `delayed`: the epoch ms the job is delayed until. */
  readonly delay?: number;
  /** `waiting`, `completed`, `failed`: the state the job left. */
  readonly prev?: string;
}

export interface JobEventMonitor {
  /** Every event seen so far, in stream order. */
  readonly events: readonly JobEvent[];
  /** The events of one job, in order. */
  of(jobId: string): JobEvent[];
  /**
   * The first event (already seen or still to come) of `jobId` among `names`. The timeout is
   * a failure bound, never a way to wait: it rejects, naming what was seen of the job.
   */
  next(jobId: string, names: readonly JobEventName[], timeoutMs?: number): Promise<JobEvent>;
  /** The first event (seen or to come) for which `match` holds; `what` names it in the timeout error. */
  first(match: (event: JobEvent) => boolean, what: string, timeoutMs?: number): Promise<JobEvent>;
  close(): Promise<void>;
}

interface Waiter {
  readonly match: (event: JobEvent) => boolean;
  readonly resolve: (event: JobEvent) => void;
}

/**
 * Watches a queue's BullMQ event stream (QueueEvents) from its very first entry, so an event
 * that came before the monitor was opened is seen too: tests wait for "job X completed / was
 * delayed / failed" instead of polling job state or sleeping. `connection` must be a client
 * of the monitor's own (QueueEvents blocks on it); the caller closes it.
 */
export async function monitorJobEvents(queueName: string, options: { connection: RedisClient; prefix: string }): Promise<JobEventMonitor> {
  const queueEvents = new QueueEvents(queueName, { connection: options.connection, prefix: options.prefix, lastEventId: '0-0', blockingTimeout: 1_000 });
  const events: JobEvent[] = [];
  const waiters = new Set<Waiter>();
  const seen = (event: JobEvent): void => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (!waiter.match(event)) continue;
      waiters.delete(waiter);
      waiter.resolve(event);
    }
  };
  for (const name of NAMES) {
    queueEvents.on(name as 'completed', (args: Record<string, unknown>, streamId: string) => {
      const { jobId, returnvalue, failedReason, delay, prev } = args;
      seen({
        name,
        jobId: String(jobId),
        streamId,
        ...(returnvalue === undefined ? {} : { returnvalue }),
        ...(typeof failedReason === 'string' ? { failedReason } : {}),
        ...(typeof delay === 'number' ? { delay } : {}),
        ...(typeof prev === 'string' ? { prev } : {}),
      });
    });
  }
  await queueEvents.waitUntilReady();

  const first = (match: (event: JobEvent) => boolean, what: string, timeoutMs = 60_000): Promise<JobEvent> => {
    const already = events.find(match);
    if (already !== undefined) return Promise.resolve(already);
    return new Promise<JobEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${events.length} events seen`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      waiters.add(waiter);
    });
  };

  return {
    events,
    of: (jobId) => events.filter((e) => e.jobId === jobId),
    first,
    next: async (jobId, names, timeoutMs) => {
      try {
        return await first((e) => e.jobId === jobId && names.includes(e.name), `job ${jobId} to be ${names.join(' or ')}`, timeoutMs);
      } catch (error) {
        const history = events.filter((e) => e.jobId === jobId).map((e) => e.name);
        throw new Error(`${(error as Error).message}; job ${jobId} so far: [${history.join(', ')}]`, { cause: error });
      }
    },
    close: async () => {
      await queueEvents.close();
    },
  };
}
