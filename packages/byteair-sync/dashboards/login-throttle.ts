import type { Clock } from '../src/clock.js';

export interface LoginThrottleOptions {
  /** Failed logins one client may make within windowMs before it has to wait. */
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly clock: Clock;
}

/** Clients remembered at most; beyond it the oldest entries go (memory stays bounded under a spray of addresses). */
const MAX_CLIENTS = 10_000;

/**
 * Slows password guessing: after maxFailures wrong logins from one address within windowMs,
 * that address is refused until the oldest of those failures leaves the window. In memory,
 * per process, which is enough for one dashboard process.
 */
export class LoginThrottle {
  readonly #options: LoginThrottleOptions;
  readonly #failures = new Map<string, number[]>();

  constructor(options: LoginThrottleOptions) {
    this.#options = options;
  }

  /** How long this client must wait before trying again, ms; 0 = it may try now. */
  retryAfterMs(client: string): number {
    const recent = this.#recent(client, this.#options.clock.now());
    if (recent.length < this.#options.maxFailures) return 0;
    const oldest = recent[recent.length - this.#options.maxFailures] ?? 0;
    return Math.max(1, oldest + this.#options.windowMs - this.#options.clock.now());
  }

  failed(client: string): void {
    const now = this.#options.clock.now();
    const recent = this.#recent(client, now);
    recent.push(now);
    this.#failures.delete(client);
    this.#failures.set(client, recent.slice(-this.#options.maxFailures));
    if (this.#failures.size > MAX_CLIENTS) {
      const oldest = this.#failures.keys().next();
      if (oldest.done !== true) this.#failures.delete(oldest.value);
    }
  }

  succeeded(client: string): void {
    this.#failures.delete(client);
  }

  #recent(client: string, now: number): number[] {
    return (this.#failures.get(client) ?? []).filter((at) => at > now - this.#options.windowMs);
  }
}
