import type { Redis } from 'ioredis';
import type { Keyspace } from 'byteair-sync/internal/src/redis/keyspace.js';

/**
 * Samples the global limiter's booking log (a sorted set: member "<seq>:<records>", score =
 * booked start, Redis ms) often enough that no booking is trimmed unseen. This is the
 * schedule the workers were told to keep, to compare with what the emulator saw arrive.
 * Bookings dropped before they were used (a 429 drops every future booking; a holder that
 * woke too late drops its own) must not count: a booking counts only if it was still in the
 * log KEPT_AFTER_START_MS after its start, long after any holder confirmed or dropped it.
 */
const KEPT_AFTER_START_MS = 200;

export class BookingLog {
  /** member → [booked start, last time seen (this machine's clock, as Redis TIME is)]. */
  readonly #bookings = new Map<string, [number, number]>();
  readonly #client: Redis;
  readonly #key: string;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(client: Redis, keys: Keyspace) {
    this.#client = client;
    this.#key = keys.limiterLog;
  }

  start(everyMs = 100): void {
    this.#timer = setInterval(() => {
      if (this.#busy) return;
      this.#busy = true;
      this.#client
        .zrange(this.#key, '0', '-1', 'WITHSCORES')
        .then((flat) => {
          const seenAt = Date.now();
          for (let i = 0; i + 1 < flat.length; i += 2) this.#bookings.set(flat[i] as string, [Number(flat[i + 1]), seenAt]);
        })
        .catch(() => undefined)
        .finally(() => (this.#busy = false));
    }, everyMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Bookings that were used, as [start, records]. */
  used(): Array<{ start: number; records: number }> {
    return [...this.#bookings]
      .filter(([, [start, seen]]) => seen >= start + KEPT_AFTER_START_MS)
      .map(([member, [start]]) => ({ start, records: Number(member.split(':')[1]) }))
      .sort((a, b) => a.start - b.start);
  }

  /** Bookings seen at all, used or dropped. */
  get seen(): number {
    return this.#bookings.size;
  }

  /** Heaviest (requests, records) over windows (t - windowMs, t] of booked starts. */
  peak(windowMs: number): { requests: number; records: number } {
    const list = this.used();
    let left = 0;
    let records = 0;
    let peak = { requests: 0, records: 0 };
    for (let right = 0; right < list.length; right += 1) {
      const current = list[right] as { start: number; records: number };
      records += current.records;
      while ((list[left] as { start: number }).start <= current.start - windowMs) {
        records -= (list[left] as { records: number }).records;
        left += 1;
      }
      peak = { requests: Math.max(peak.requests, right - left + 1), records: Math.max(peak.records, records) };
    }
    return peak;
  }
}
