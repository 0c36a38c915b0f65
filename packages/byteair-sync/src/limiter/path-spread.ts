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
 * trip minus its mean, so half the round trip's p1-p99 spread is only about the p99 of
 * d1 - d2: one pair in a hundred would arrive closer than the window, and a saturated minute
 * holds hundreds of pairs. The margin is that half spread taken out to the p99.9 by the normal
 * tail: z(0.999) / z(q), where q is the quantile the sample's upper point really estimates,
 * (i + 1) / (n + 1) for the i-th of n sorted samples. With 256 samples that is 0.984 (a factor
 * of 1.43); with the first 8 it is the largest of 8, 0.89 (a factor of 2.5), because the range
 * of a few samples falls well short of the path's: taken at face value, the first dozen
 * answers at 40 + U(0, 60) ms each way gave a 46 ms margin where arrivals differ by up to 60 ms,
 * and 2 of 5 wan bench runs drew a 429 (the one whose bookings were logged, 5 s in, under
 * 1 046 ms windows). For that path the margin is 71 ms once 256 samples are in; with this rule
 * 3 of 3 runs drew none.
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
    // One sample has no spread, and its tail factor (marginFor) would divide by z(0.5) = 0.
    if (!(Number.isSafeInteger(policy.minSamples) && policy.minSamples >= 2 && policy.samples >= policy.minSamples))
      throw new RangeError(
        `spread samples ${policy.samples} and minimum ${policy.minSamples} must be whole, the minimum at least 2 and at most the samples kept`,
      );
    this.#policy = policy;
  }

  /**
   * One answered call: ms from the request written to its answer's first bytes, and to its
   * `100 Continue` when one came.
   */
  observe(host: string, answerMs: number, continueMs?: number): void {
    let entry = this.#byHost.get(host);
    if (entry === undefined) {
      entry = { answers: { values: [], next: 0 }, continues: { values: [], next: 0 }, measure: undefined, dirty: true };
      this.#byHost.set(host, entry);
    }
    if (this.#push(entry.answers, answerMs)) entry.dirty = true;
    if (continueMs !== undefined && this.#push(entry.continues, continueMs)) entry.dirty = true;
  }

  /**
   * The host's samples become these (the latest last), as the fleet pooled them
   * (path-samples.ts): the margin then rests on every worker's answers, not this one's alone.
   */
  replace(host: string, samples: readonly PathSample[]): void {
    const entry: HostSamples = { answers: { values: [], next: 0 }, continues: { values: [], next: 0 }, measure: undefined, dirty: true };
    for (const sample of samples.slice(-this.#policy.samples)) {
      this.#push(entry.answers, sample.answerMs);
      if (sample.continueMs !== undefined) this.#push(entry.continues, sample.continueMs);
    }
    this.#byHost.set(host, entry);
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
      const measure = this.#measureOf(entry);
      if (measure !== undefined) out.set(host, measure.spreadMs);
    }
    return out;
  }

  /**
   * Everything a booking needs, from one pass over the hosts: the margin the window needs now
   * (the widest over the hosts, marginFor; the cap until a path has been measured, since nothing
   * yet says it is calm), the widest spread (0 before any host has enough answers), and whether
   * some host has given enough answers to say how its path varies.
   */
  reading(): PathReading {
    let measured = false;
    let spreadMs = 0;
    let marginMs = 0;
    for (const entry of this.#byHost.values()) {
      const measure = this.#measureOf(entry);
      if (measure === undefined) continue;
      measured = true;
      spreadMs = Math.max(spreadMs, measure.spreadMs);
      marginMs = Math.max(marginMs, measure.marginMs);
    }
    return { measured, marginMs: measured ? marginMs : this.#policy.capMs, spreadMs };
  }

  /** The host's spread and margin, recomputed (a sort) only after new samples. */
  #measureOf(entry: HostSamples): HostMeasure | undefined {
    if (entry.dirty) {
      const { minSamples } = this.#policy;
      const ring = entry.continues.values.length >= minSamples ? entry.continues : entry.answers;
      if (ring.values.length < minSamples) entry.measure = undefined;
      else {
        const spreadMs = spreadOf(ring.values);
        entry.measure = { spreadMs, marginMs: marginFor(spreadMs, this.#policy, ring.values.length) };
      }
      entry.dirty = false;
    }
    return entry.measure;
  }

  /** The margin the window needs now (reading()). */
  marginMs(): number {
    return this.reading().marginMs;
  }
}

/** One answered call's timing (PathSpread.observe). */
export interface PathSample {
  readonly answerMs: number;
  readonly continueMs?: number;
}

/** What the path's samples say now (PathSpread.reading). */
export interface PathReading {
  readonly measured: boolean;
  readonly marginMs: number;
  readonly spreadMs: number;
}

interface HostMeasure {
  readonly spreadMs: number;
  /** marginFor(spreadMs) with the number of samples it came from. */
  readonly marginMs: number;
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
  /** Undefined until the host has minSamples answers. */
  measure: HostMeasure | undefined;
  dirty: boolean;
}

/** The p99.9 of a normal distribution, in standard deviations. */
const Z_P999 = normalQuantile(0.999);

/**
 * The margin for a round-trip spread measured from `samples` answers (default: many): half the
 * spread is taken to reach the quantile the sample's p99 point estimates, and is carried out to
 * the p99.9 (class comment); rounded up, within floor and cap.
 */
export function marginFor(spreadMs: number, policy: Pick<SpreadPolicy, 'floorMs' | 'capMs'>, samples = DEFAULT_SPREAD_SAMPLES): number {
  const upper = atIndex(P_HIGH, samples);
  const reached = normalQuantile((upper + 1) / (samples + 1));
  return Math.min(policy.capMs, Math.max(policy.floorMs, Math.ceil((spreadMs / 2) * (Z_P999 / reached))));
}

/**
 * The standard normal quantile of p in (0.5, 1): Abramowitz and Stegun 26.2.23, within
 * 4.5e-4 of the truth, far inside what a few hundred samples can tell.
 */
export function normalQuantile(p: number): number {
  const t = Math.sqrt(-2 * Math.log(1 - p));
  return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
}

const P_LOW = 0.01;
const P_HIGH = 0.99;

/** The index of the q-quantile among n sorted samples. */
function atIndex(q: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))));
}

function spreadOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[atIndex(P_HIGH, sorted.length)] as number) - (sorted[atIndex(P_LOW, sorted.length)] as number);
}
