/** Requests and records counted together in one window. */
export interface WindowLoad {
  readonly requests: number;
  readonly records: number;
}

/**
 * A log of arrivals, each weighing one or more requests and some records, over which every
 * sliding window of `windowMs` can be summed exactly. Windows are half-open, (t - windowMs, t]:
 * two arrivals exactly `windowMs` apart never share a window, the same convention the
 * project's limiter uses, so the two agree on what "too fast" means.
 *
 * Arrivals may be added slightly out of order (a request's arrival time is taken when its
 * headers came in, but it is added once its body has been read and parsed), so the sums are
 * taken over every window that contains the new arrival, not only the one ending at it.
 * Times are monotonic milliseconds supplied by the caller.
 */
export class SlidingWindowLog {
  readonly #windowMs: number;
  readonly #horizonMs: number;
  // Parallel arrays sorted by time; `#head` marks the first live entry so pruning is O(1).
  #times: number[] = [];
  #requests: number[] = [];
  #records: number[] = [];
  #head = 0;
  #maxRequests = 0;
  #maxRecords = 0;

  /** `horizonMs`: how long arrivals are kept; it bounds how late an arrival may be added. */
  constructor(windowMs = 1000, horizonMs = 10_000) {
    this.#windowMs = windowMs;
    this.#horizonMs = Math.max(horizonMs, 2 * windowMs);
  }

  /** The largest load seen in any window so far (each figure maximised on its own). */
  get peak(): WindowLoad {
    return { requests: this.#maxRequests, records: this.#maxRecords };
  }

  /**
   * The heaviest load among the windows that would contain an arrival at `time` weighing
   * `load`, if it were added. Nothing changes.
   */
  loadIfAdded(time: number, load: WindowLoad): WindowLoad {
    const times = this.#times;
    const end = times.length;
    let right = this.#upperBound(time);
    let left = this.#upperBound(time - this.#windowMs);
    let requests = load.requests;
    let records = load.records;
    for (let i = left; i < right; i += 1) {
      requests += this.#requests[i] as number;
      records += this.#records[i] as number;
    }
    let maxRequests = requests;
    let maxRecords = records;
    // Later windows that still contain `time` end at each later arrival closer than windowMs.
    while (right < end && (times[right] as number) < time + this.#windowMs) {
      const edge = times[right] as number;
      while (right < end && times[right] === edge) {
        requests += this.#requests[right] as number;
        records += this.#records[right] as number;
        right += 1;
      }
      while ((times[left] as number) <= edge - this.#windowMs) {
        requests -= this.#requests[left] as number;
        records -= this.#records[left] as number;
        left += 1;
      }
      if (requests > maxRequests) maxRequests = requests;
      if (records > maxRecords) maxRecords = records;
    }
    return { requests: maxRequests, records: maxRecords };
  }

  /** Adds an arrival; returns the heaviest window containing it (as loadIfAdded did). */
  add(time: number, load: WindowLoad): WindowLoad {
    const heaviest = this.loadIfAdded(time, load);
    const at = this.#upperBound(time);
    if (at === this.#times.length) {
      this.#times.push(time);
      this.#requests.push(load.requests);
      this.#records.push(load.records);
    } else {
      this.#times.splice(at, 0, time);
      this.#requests.splice(at, 0, load.requests);
      this.#records.splice(at, 0, load.records);
    }
    if (heaviest.requests > this.#maxRequests) this.#maxRequests = heaviest.requests;
    if (heaviest.records > this.#maxRecords) this.#maxRecords = heaviest.records;
    this.#prune();
    return heaviest;
  }

  clear(): void {
    this.#times = [];
    this.#requests = [];
    this.#records = [];
    this.#head = 0;
    this.#maxRequests = 0;
    this.#maxRecords = 0;
  }

  /** First index (at or after head) whose time is greater than `time`. */
  #upperBound(time: number): number {
    let lo = this.#head;
    let hi = this.#times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#times[mid] as number) <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #prune(): void {
    const latest = this.#times.at(-1);
    if (latest === undefined) return;
    const cutoff = latest - this.#horizonMs;
    while (this.#head < this.#times.length && (this.#times[this.#head] as number) < cutoff) this.#head += 1;
    // Compact now and then rather than shifting on every arrival.
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#requests = this.#requests.slice(this.#head);
      this.#records = this.#records.slice(this.#head);
      this.#head = 0;
    }
  }
}
