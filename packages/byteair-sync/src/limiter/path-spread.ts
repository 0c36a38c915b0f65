/** How the margin follows the measured spread of the path to the API. */
export interface SpreadPolicy {
  /** The margin never goes below this (BYTEAIR_LIMITER_MARGIN_MS). */
  readonly floorMs: number;
  /** Nor above this (BYTEAIR_LIMITER_MARGIN_CAP_MS); equal to the floor, the margin is fixed. */
  readonly capMs: number;
  /** Answer times kept per host (the latest). */
  readonly samples: number;
  /** Fewer answers than this from a host say nothing about it yet. */
  readonly minSamples: number;
}

export const DEFAULT_SPREAD_SAMPLES = 256;
export const DEFAULT_SPREAD_MIN_SAMPLES = 8;

/**
 * The spread of one host's path: how much the time from a request leaving to its answer
 * arriving varies, p99 minus p1 of the latest answers. A request booked at t reaches the API
 * at t + d, where d is the one-way delay of that request; two requests booked a window apart
 * arrive a window minus (d1 - d2) apart, so the window needs a margin that d1 - d2 almost
 * never exceeds. d cannot be seen from here (only the round trip can). If the way in varies
 * as the way back does, independently (as NTP assumes), d1 - d2 is distributed as the round
 * trip minus its mean, so half the round trip's p1-p99 spread is only the p99 of d1 - d2: one
 * pair in a hundred would arrive closer than the window, and a saturated minute holds
 * hundreds of pairs (1 of 3 runs of the wan bench at 40/60 ms drew a 429 that way). The
 * margin is that half spread taken out to the p99.9 by the normal tail's ratio
 * z(0.999) / z(0.99) = 3.090 / 2.326: for uniform jitter, where the tail ends, it covers the
 * whole range (69 ms of margin at 40 + U(0, 60) ms each way, whose d1 - d2 reaches 60 ms).
 *
 * Two round trips are measured. The time to the final answer also holds the server's own work
 * (a 10 000-record body answers 40-290 ms after it arrives on a busy host, bench/RESULTS.md),
 * which the arrival stamp does not, so a margin taken from it is several times too wide. The
 * time to the `100 Continue` the server sends on reading a request's headers (the client asks
 * for one with `Expect: 100-continue` and does not wait for it) holds the path and the server
 * reading the headers, which is when it stamps the request. Once a host has answered enough of
 * those, its spread is theirs; a server (or gateway) that never sends one keeps the answer
 * times' spread, which errs on the safe side.
 */
export class PathSpread {
  readonly #policy: SpreadPolicy;
  readonly #byHost = new Map<string, HostSamples>();

  constructor(policy: SpreadPolicy) {
    if (!(policy.floorMs >= 0 && policy.capMs >= policy.floorMs))
      throw new RangeError(`margin cap ${policy.capMs} ms must be at least the floor ${policy.floorMs} ms`);
    this.#policy = policy;
  }

  /**
   * One answered call: ms from the request written to its answer's first bytes, and to its
   * `100 Continue` when one came.
   */
  observe(host: string, answerMs: number, continueMs?: number): void {
    let entry = this.#byHost.get(host);
    if (entry === undefined) {
      entry = { answers: { values: [], next: 0 }, continues: { values: [], next: 0 }, spread: undefined, dirty: true };
      this.#byHost.set(host, entry);
    }
    if (this.#push(entry.answers, answerMs)) entry.dirty = true;
    if (continueMs !== undefined && this.#push(entry.continues, continueMs)) entry.dirty = true;
  }

  #push(ring: Ring, ms: number): boolean {
    if (!Number.isFinite(ms) || ms < 0) return false;
    if (ring.values.length < this.#policy.samples) ring.values.push(ms);
    else ring.values[ring.next] = ms;
    ring.next = (ring.next + 1) % this.#policy.samples;
    return true;
  }

  /** Per host with enough answers: the round trip's spread in ms (p99 - p1). */
  spreads(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [host, entry] of this.#byHost) {
      if (entry.dirty) {
        const { minSamples } = this.#policy;
        const ring = entry.continues.values.length >= minSamples ? entry.continues : entry.answers;
        entry.spread = ring.values.length < minSamples ? undefined : spreadOf(ring.values);
        entry.dirty = false;
      }
      if (entry.spread !== undefined) out.set(host, entry.spread);
    }
    return out;
  }

  /** The widest spread over the hosts, or 0 before any host has enough answers. */
  spreadMs(): number {
    return Math.max(0, ...this.spreads().values());
  }

  /** True once some host has given enough answers to say how its path varies. */
  measured(): boolean {
    return this.spreads().size > 0;
  }

  /**
   * The margin the window needs now: from the widest spread (marginFor), within floor and cap; the cap
   * until a path has been measured, since nothing yet says it is calm.
   */
  marginMs(): number {
    return this.measured() ? marginFor(this.spreadMs(), this.#policy) : this.#policy.capMs;
  }
}

interface Ring {
  readonly values: number[];
  next: number;
}

interface HostSamples {
  /** Request written to its final answer. */
  readonly answers: Ring;
  /** Request written to its `100 Continue`: the path without the server's work on the body. */
  readonly continues: Ring;
  spread: number | undefined;
  dirty: boolean;
}

/** Half the p1-p99 spread is the p99 of d1 - d2; times this, its p99.9 (class comment). */
const P999_OVER_P99 = 3.09 / 2.326;

/** The p99.9 of the way in's d1 - d2 from the round trip's spread, rounded up, within floor and cap. */
export function marginFor(spreadMs: number, policy: Pick<SpreadPolicy, 'floorMs' | 'capMs'>): number {
  return Math.min(policy.capMs, Math.max(policy.floorMs, Math.ceil((spreadMs / 2) * P999_OVER_P99)));
}

function spreadOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] as number;
  return at(0.99) - at(0.01);
}
