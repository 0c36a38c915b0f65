/** One request as the rate windows saw it. */
export interface Arrival {
  /** Monotonic ms (the windows' clock). */
  readonly at: number;
  /** Wall-clock epoch ms at the same moment, to line arrivals up with other processes' logs. */
  readonly epochMs: number;
  readonly requestId: string;
  readonly records: number;
}

/**
 * The most recent arrivals counted in the rate windows, newest last, so that an excess can
 * be traced to the requests that made it (admin GET /__emulator/arrivals). Bounded: old
 * entries fall off.
 */
export class ArrivalLog {
  readonly #capacity: number;
  #entries: Arrival[] = [];

  constructor(capacity = 50_000) {
    this.#capacity = capacity;
  }

  add(arrival: Arrival): void {
    this.#entries.push(arrival);
    if (this.#entries.length > this.#capacity * 1.5) this.#entries = this.#entries.slice(-this.#capacity);
  }

  list(): readonly Arrival[] {
    return this.#entries.slice(-this.#capacity);
  }

  clear(): void {
    this.#entries = [];
  }
}
