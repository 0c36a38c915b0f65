/** Bounds of the per-host answer timeout. */
export interface AnswerTimeoutPolicy {
  /** The timeout never goes below this (BYTEAIR_REQUEST_TIMEOUT_MS). */
  readonly floorMs: number;
  /** Nor above this (BYTEAIR_REQUEST_TIMEOUT_CAP_MS); equal to the floor, the timeout is fixed. */
  readonly capMs: number;
}

interface HostTimes {
  /** Smoothed answer time (RFC 6298 SRTT), ms; undefined until the first answer. */
  srtt: number | undefined;
  /** Its mean deviation (RTTVAR), ms. */
  rttvar: number;
  /** Timeouts in a row since the last answer: each doubles the next timeout. */
  backoff: number;
}

/**
 * How long a call may wait for its answer, per API host, the way TCP sets its retransmission
 * timeout (RFC 6298): the smoothed answer time plus four deviations, never below the floor,
 * doubled for every timeout in a row (Karn) and back to the measured value on the next answer.
 * A fixed timeout shorter than a slow server's answers times every call out, each resend makes
 * the server slower still, and the circuit's probes can never succeed: a livelock. Doubling
 * lets the next call wait long enough to be answered; the floor keeps a fast path's timeout
 * what the operator set.
 */
export class AnswerTimeouts {
  readonly #policy: AnswerTimeoutPolicy;
  readonly #byHost = new Map<string, HostTimes>();

  constructor(policy: AnswerTimeoutPolicy) {
    if (!(policy.floorMs > 0 && policy.capMs >= policy.floorMs))
      throw new RangeError(`answer timeout cap ${policy.capMs} ms must be at least the floor ${policy.floorMs} ms, and the floor above 0`);
    this.#policy = policy;
  }

  /** The timeout for the next call to `host`, ms. */
  timeoutFor(host: string): number {
    const times = this.#byHost.get(host);
    if (times === undefined) return this.#policy.floorMs;
    const measured = times.srtt === undefined ? this.#policy.floorMs : Math.max(this.#policy.floorMs, Math.ceil(times.srtt + 4 * times.rttvar));
    return Math.min(this.#policy.capMs, measured * 2 ** Math.min(times.backoff, 30));
  }

  /** A call to `host` was answered (any answer) after `ms`. */
  answered(host: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const times = this.#byHost.get(host);
    if (times?.srtt === undefined) {
      this.#byHost.set(host, { srtt: ms, rttvar: ms / 2, backoff: 0 });
      return;
    }
    times.rttvar = 0.75 * times.rttvar + 0.25 * Math.abs(times.srtt - ms);
    times.srtt = 0.875 * times.srtt + 0.125 * ms;
    times.backoff = 0;
  }

  /** A call to `host` timed out: the next one waits twice as long (up to the cap). */
  timedOut(host: string): void {
    const times = this.#byHost.get(host);
    if (times === undefined) this.#byHost.set(host, { srtt: undefined, rttvar: 0, backoff: 1 });
    else times.backoff += 1;
  }
}
