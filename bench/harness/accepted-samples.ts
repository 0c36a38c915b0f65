import { performance } from 'node:perf_hooks';
import type { EmulatorControl } from 'byteair-emulator';

/**
 * The emulator's own count of accepted records, polled at a fixed period: the API's view of
 * the throughput, independent of worker clocks (resolution: the period). The round trip of
 * each poll is kept too: the admin endpoint is served by the same main thread that stamps
 * request arrivals, so a slow poll means arrivals were stamped late meanwhile.
 */
export class AcceptedSamples {
  readonly samples: Array<readonly [number, number]> = [];
  readonly roundTripsMs: number[] = [];
  readonly #emulator: EmulatorControl;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(emulator: EmulatorControl, everyMs = 100) {
    this.#emulator = emulator;
    this.#everyMs = everyMs;
  }

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#busy) return;
      this.#busy = true;
      const sent = performance.now();
      this.#emulator
        .stats()
        .then((s) => {
          this.roundTripsMs.push(performance.now() - sent);
          this.samples.push([Date.now(), s.totals.acceptedRecords]);
        })
        .catch(() => undefined) // down during an outage: no sample
        .finally(() => (this.#busy = false));
    }, this.#everyMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The best records/s over any `spanMs` between two samples (the API's view of a sustained stretch). */
  bestRate(spanMs: number): number {
    let best = Number.NaN;
    let from = 0;
    for (let to = 0; to < this.samples.length; to += 1) {
      const [toAt, toCount] = this.samples[to] as readonly [number, number];
      while (from < to && toAt - (this.samples[from] as readonly [number, number])[0] > spanMs) from += 1;
      const [fromAt, fromCount] = this.samples[from] as readonly [number, number];
      // Only stretches that span (nearly) the whole period count.
      if (toAt - fromAt < spanMs * 0.95) continue;
      const rate = (toCount - fromCount) / ((toAt - fromAt) / 1000);
      if (!(rate <= best)) best = rate;
    }
    return best;
  }

  /** Records/s from the first sample showing an acceptance to the first showing `total`. */
  rate(total: number): number {
    const first = this.samples.find(([, n]) => n > 0);
    const last = this.samples.find(([, n]) => n >= total);
    if (first === undefined || last === undefined || last[0] <= first[0]) return Number.NaN;
    return (last[1] - first[1]) / ((last[0] - first[0]) / 1000);
  }
}
