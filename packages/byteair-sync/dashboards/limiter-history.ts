import type { LimiterUsage } from '../src/limiter/rate-limiter.js';
import type { Logger } from '../src/observability/logger.js';
import { RingBuffer } from './ring-buffer.js';

export interface LimiterHistoryOptions {
  /** Reads the global limiter's current usage (one Redis script call). */
  readonly read: () => Promise<LimiterUsage>;
  readonly intervalMs: number;
  /** Samples kept: 600 at one per second is the last ten minutes. */
  readonly capacity: number;
  readonly logger: Logger;
}

export interface LimiterHistory {
  /** Oldest first; each carries its Redis time in `at`. */
  samples(): LimiterUsage[];
  stop(): Promise<void>;
}

/**
 * Samples the limiter's sliding-window usage into memory so the status page can draw it over
 * time. The next sample is scheduled only after the previous one answered, so a slow Redis
 * never piles up reads; a failed read is skipped (a gap in the chart), logged once per outage.
 */
export function startLimiterHistory(options: LimiterHistoryOptions): LimiterHistory {
  const buffer = new RingBuffer<LimiterUsage>(options.capacity);
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  let failing = false;

  const sample = async (): Promise<void> => {
    try {
      buffer.push(await options.read());
      if (failing) options.logger.info('limiter sampling works again');
      failing = false;
    } catch (error) {
      if (!failing) options.logger.warn({ err: error }, 'cannot sample the limiter usage; the chart has a gap until Redis answers');
      failing = true;
    }
  };
  const tick = (): void => {
    inFlight = sample().finally(() => {
      inFlight = undefined;
      if (!stopped) schedule();
    });
  };
  const schedule = (): void => {
    timer = setTimeout(tick, options.intervalMs);
    timer.unref();
  };
  tick();

  return {
    samples: () => buffer.toArray(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
