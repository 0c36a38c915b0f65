import type { Clock } from '../src/clock.js';

export interface UserNameThrottleOptions {
  /** The delay starts once a user name has this many failures (the ones before cost nothing). */
  readonly failuresBeforeDelay: number;
  /** Delay after failure number failuresBeforeDelay; each further failure doubles it. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A user name with no failure for this long starts from zero again. */
  readonly forgetAfterMs: number;
  readonly clock: Clock;
}

/**
 * The dashboard's policy: the 3rd failure for a user name delays the next attempt by 1 s, the
 * 4th by 2 s, then 4 s, 8 s ... up to 15 min (reached at the 13th). A typo or two costs the
 * real user nothing; a distributed guesser gets about 4 guesses an hour per user name once the
 * cap is reached. Forgotten after an hour without a failure.
 */
export const USER_NAME_THROTTLE_POLICY = Object.freeze({
  failuresBeforeDelay: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60 * 1_000,
  forgetAfterMs: 60 * 60 * 1_000,
});

/** User names remembered at most (memory stays bounded under a spray of made-up names). */
export const MAX_USER_NAMES = 10_000;

/** Longest user name kept as a key; longer ones share the key of their first characters. */
const MAX_USER_NAME_CHARS = 128;

interface Entry {
  readonly failures: number;
  readonly lastFailureAt: number;
}

/**
 * The key a user name is throttled under: case, surrounding spaces and Unicode composition do
 * not make a new name to guess under, and a huge name cannot make a huge key.
 */
export function userNameKey(user: string): string {
  return user.normalize('NFC').trim().toLowerCase().slice(0, MAX_USER_NAME_CHARS);
}

/**
 * Slows guessing against one account from many addresses, which the per-address throttle
 * cannot see: failures for a user name, from anywhere, grow a delay exponentially. It is a
 * delay, never a lock: once it has passed the next attempt is checked, and a success for the
 * name clears it. Any name is counted, existing or not, so being delayed tells nothing about
 * which names exist. In memory, per process, like LoginThrottle.
 */
export class UserNameThrottle {
  readonly #options: UserNameThrottleOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: UserNameThrottleOptions) {
    this.#options = options;
  }

  /** How long attempts for this user name must wait, ms; 0 = the next one is checked. */
  retryAfterMs(user: string): number {
    const key = userNameKey(user);
    const entry = this.#current(key, this.#options.clock.now());
    if (entry === undefined) return 0;
    return Math.max(0, entry.lastFailureAt + this.#delayAfter(entry.failures) - this.#options.clock.now());
  }

  failed(user: string): void {
    const key = userNameKey(user);
    const now = this.#options.clock.now();
    const failures = (this.#current(key, now)?.failures ?? 0) + 1;
    // Re-inserted so the map's order is the order of last failure.
    this.#entries.delete(key);
    this.#entries.set(key, { failures, lastFailureAt: now });
    if (this.#entries.size > MAX_USER_NAMES) this.#evictOne(key);
  }

  succeeded(user: string): void {
    this.#entries.delete(userNameKey(user));
  }

  /** Delay after `failures` failures: 0 before failuresBeforeDelay, then base doubling up to the cap. */
  #delayAfter(failures: number): number {
    const { failuresBeforeDelay, baseDelayMs, maxDelayMs } = this.#options;
    if (failures < failuresBeforeDelay) return 0;
    const doublings = failures - failuresBeforeDelay;
    // Capped before the power so a long run of failures cannot overflow to Infinity.
    return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(doublings, 52));
  }

  #current(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (now - entry.lastFailureAt < this.#options.forgetAfterMs) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  /**
   * Drops the name with the fewest failures (the longest-quiet one among equals), never the
   * one just counted. Not simply the oldest: an attacker could then flush a targeted account's
   * count by spraying made-up names, each of which has one failure. A linear scan, but only
   * when the map is full, and every failed login that gets here was paid for by the
   * per-address throttle.
   */
  #evictOne(keep: string): void {
    let victim: string | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.#entries) {
      if (key !== keep && entry.failures < fewest) {
        victim = key;
        fewest = entry.failures;
        if (fewest <= 1) break;
      }
    }
    if (victim !== undefined) this.#entries.delete(victim);
  }

  /** Names remembered now (for tests of the memory bound). */
  get size(): number {
    return this.#entries.size;
  }
}
