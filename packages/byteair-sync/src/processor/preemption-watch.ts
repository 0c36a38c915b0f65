import type { Logger } from '../observability/logger.js';
import { slotsToFree, type SlotPreemption } from './slot-preemption.js';

export interface PreemptionWatchDeps {
  readonly preemption: SlotPreemption;
  /** Streaming chunks waiting in the upload queue (one Redis call). */
  readonly streamingWaiting: () => Promise<number>;
  /** Whether this process may preempt this round: one process per round, so slots are not freed four times over. */
  readonly claim: () => Promise<boolean>;
  /** Jobs the upload worker of this process runs now. */
  readonly inFlight: () => number;
  readonly concurrency: number;
  readonly everyMs: number;
  readonly logger: Logger;
}

/**
 * Every `everyMs`, while this process's slots are all taken and some of them by offline jobs
 * waiting for the limiter, looks whether streaming chunks wait for a slot and frees one per
 * chunk (slot-preemption.ts). Costs Redis nothing while a slot is free or nothing waits at the
 * limiter, i.e. below the ceiling. Returns the function that stops it.
 */
export function watchPreemption(deps: PreemptionWatchDeps): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async (): Promise<void> => {
    const { preemption } = deps;
    if (preemption.waiting === 0 || deps.inFlight() < deps.concurrency) return;
    const streamingWaiting = await deps.streamingWaiting();
    const free = slotsToFree({ streamingWaiting, offlineWaiting: preemption.waiting, inFlight: deps.inFlight(), concurrency: deps.concurrency });
    if (free === 0 || !(await deps.claim())) return;
    const freed = preemption.preempt(free);
    deps.logger.debug({ streamingWaiting, freed }, 'offline jobs give their slots to waiting streaming chunks');
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((error: unknown) => deps.logger.debug({ err: error }, 'preemption check failed'))
        .finally(schedule);
    }, deps.everyMs);
    // The check must not keep a closing process alive.
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
