/** One offline job's place among this process's limiter waiters. */
export interface PreemptionTicket {
  /** Aborted when the job is asked to give its slot back. */
  readonly signal: AbortSignal;
  preempted(): boolean;
  /** The job got its grant (or failed otherwise): it can no longer be preempted. */
  leave(): void;
}

/** What the preemption check sees. */
export interface SlotCensus {
  /** Streaming chunks waiting in the upload queue for a worker. */
  readonly streamingWaiting: number;
  /** Offline write jobs of this process waiting for the limiter. */
  readonly offlineWaiting: number;
  /** Jobs this process's upload worker runs now, and how many it may run. */
  readonly inFlight: number;
  readonly concurrency: number;
}

/**
 * How many offline waiters should give their slots back: none while this worker has a free
 * slot (BullMQ gives it the highest-priority job, a streaming chunk first, by itself), else one
 * per streaming chunk waiting, as far as there are offline waiters to free.
 */
export function slotsToFree(census: SlotCensus): number {
  if (census.inFlight < census.concurrency) return 0;
  return Math.max(0, Math.min(census.streamingWaiting, census.offlineWaiting));
}

/**
 * The offline write jobs of this process that hold a worker slot while they wait for the global
 * limiter. BullMQ gives a freed slot to the highest-priority job, streaming first; but at the
 * ceiling every slot is held by an offline chunk waiting its turn at the limiter, so a streaming
 * chunk would wait until one of them finished (in the latency bench 357 ms at the median, 870 ms
 * at p99: almost half of the 2 s a streaming record may take from push to accepted). Preempting the youngest waiters (the ones that
 * have waited least) lets the worker fetch the streaming chunk at once; the preempted job goes
 * back to the queue without spending an attempt, and any booking it held is given back.
 */
export class SlotPreemption {
  readonly #waiters: AbortController[] = [];

  get waiting(): number {
    return this.#waiters.length;
  }

  enter(): PreemptionTicket {
    const controller = new AbortController();
    this.#waiters.push(controller);
    return {
      signal: controller.signal,
      preempted: () => controller.signal.aborted,
      leave: () => {
        const at = this.#waiters.indexOf(controller);
        if (at >= 0) this.#waiters.splice(at, 1);
      },
    };
  }

  /** Asks the `count` youngest waiters to give their slots back; returns how many were asked. */
  preempt(count: number): number {
    const taken = this.#waiters.splice(Math.max(0, this.#waiters.length - count));
    for (const controller of taken) controller.abort(new Error('slot preempted by a waiting streaming chunk'));
    return taken.length;
  }
}
