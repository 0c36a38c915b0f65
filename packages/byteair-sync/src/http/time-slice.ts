import { setImmediate as nextTurn } from 'node:timers/promises';

/** Longest stretch of parsing between two turns of the event loop. */
export const DEFAULT_SLICE_MS = 10;

/**
 * Lets long CPU work give the event loop a turn every `sliceMs`, so one big body being
 * parsed does not hold /healthz and every other request until it is done. `pause()` is
 * cheap to call per record: it reads the clock and yields only when the slice is used up.
 */
export class TimeSlice {
  readonly #sliceMs: number;
  readonly #now: () => number;
  #since: number;

  constructor(sliceMs: number = DEFAULT_SLICE_MS, now: () => number = () => performance.now()) {
    this.#sliceMs = sliceMs;
    this.#now = now;
    this.#since = now();
  }

  /** True when the slice is used up; the caller then awaits pause(). */
  due(): boolean {
    return this.#now() - this.#since >= this.#sliceMs;
  }

  async pause(): Promise<void> {
    await nextTurn();
    this.#since = this.#now();
  }
}
