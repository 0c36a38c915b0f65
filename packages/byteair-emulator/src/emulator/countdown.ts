import { performance } from 'node:perf_hooks';

/**
 * A period of real time with an end (an outage, a storm). Its timer is real because the
 * client under test lives in real time; ending early (reset, close) settles `ended` too.
 */
export class Countdown {
  readonly ended: Promise<void>;
  readonly #endsAt: number;
  readonly #timer: NodeJS.Timeout;
  #resolve: () => void = () => undefined;
  #done = false;

  constructor(durationMs: number, onEnd: () => Promise<void> | void) {
    this.#endsAt = performance.now() + durationMs;
    this.ended = new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
    this.#timer = setTimeout(() => void this.#finish(onEnd), durationMs);
  }

  /** Whole seconds left, at least 1 while running: the Retry-After to send. */
  secondsLeft(): number {
    return Math.max(1, Math.ceil((this.#endsAt - performance.now()) / 1000));
  }

  get running(): boolean {
    return !this.#done;
  }

  /** Ends it now; `onEnd` runs as if the time were up. */
  async end(onEnd: () => Promise<void> | void): Promise<void> {
    clearTimeout(this.#timer);
    await this.#finish(onEnd);
  }

  async #finish(onEnd: () => Promise<void> | void): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      await onEnd();
    } finally {
      this.#resolve();
    }
  }
}
