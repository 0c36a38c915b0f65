import { sleep } from './abortable-sleep.js';
import type { LimiterPriority } from './rate-limiter.js';

export type BookAnswer =
  | { readonly kind: 'booked'; readonly member: string; readonly startAt: number; readonly now: number }
  | {
      readonly kind: 'refused';
      readonly retryInMs: number;
      readonly now: number;
      /** The most records a request could book to start within the horizon asked with (test/limiter/booking-rule.ts largestRoom). */
      readonly roomInHorizon: number;
    };

export interface Booking {
  readonly member: string;
  /** Booked start, Redis epoch ms. */
  readonly startAt: number;
  /** Redis time when it was booked, and the local monotonic time the answer arrived. */
  readonly bookedAt: number;
  readonly receivedAt: number;
}

interface Waiter {
  readonly records: number;
  readonly resolve: (booking: Booking) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
  /** Redis is booking for this waiter right now. */
  inFlight: boolean;
  /** Aborted while in flight: the pump releases whatever was booked, then rejects with this. */
  abortedWith: Error | null;
  /** Local monotonic ms of this waiter's first refusal at the head of its lane. */
  refusedSince: number | null;
  /** Local monotonic ms it joined the lane. */
  readonly since: number;
  /** It lost a booking it had (late wake-up, 429 drop, displaced): it asks before anyone else. */
  readonly front: boolean;
}

interface Lane {
  readonly waiters: Waiter[];
  pumping: boolean;
}

export interface BookingLanesDeps {
  readonly book: (records: number, priority: LimiterPriority) => Promise<BookAnswer>;
  readonly release: (member: string) => Promise<void>;
  /** Local monotonic ms; only ever used for durations, never as a booking time. */
  readonly monotonic: () => number;
  /**
   * How long smaller waiters may fill gaps while the head of a lane keeps being refused; after
   * that the lane is strictly first come, first served until the head books, so a steady
   * stream of small chunks cannot starve a large one. @default 2000
   */
  readonly gapFillMs?: number;
  /**
   * How long a waiter may be passed over by larger ones (see #head); after that it asks in
   * arrival order, before any younger waiter, so a small chunk is never held back for good by
   * a backlog of large ones. @default 30000
   */
  readonly agingMs?: number;
}

/**
 * One queue per priority in this process, and at most one caller per queue asking Redis at a
 * time. This is what makes the limiter fair across processes and cheap on Redis: when the
 * window is full, every process has one poller per priority that wakes exactly when the next
 * slot enters its horizon, so processes with waiting work win freed slots about equally
 * often (not in proportion to how many jobs each has waiting), and Redis sees a few calls per
 * freed slot instead of one per waiting job. Within a queue the largest caller asks first
 * (see #head), and while its slot is beyond the horizon a smaller caller may fill a gap.
 */
export class BookingLanes {
  readonly #deps: BookingLanesDeps;
  readonly #lanes = new Map<LimiterPriority, Lane>();

  constructor(deps: BookingLanesDeps) {
    this.#deps = deps;
  }

  /** Resolves with a booking once Redis granted one; `front` puts a caller that lost its booking first in line. */
  async reserve(records: number, priority: LimiterPriority, signal: AbortSignal | undefined, onAbort: () => Error, front: boolean): Promise<Booking> {
    if (signal?.aborted === true) throw onAbort();
    const lane = this.#lane(priority);
    return await new Promise<Booking>((resolve, reject) => {
      const abort = (): void => {
        if (waiter.settled || waiter.abortedWith !== null) return;
        if (waiter.inFlight) {
          // Reject only once the answer is in and any booking is given back, so that when
          // acquire() rejects, nothing of this caller is left in the log.
          waiter.abortedWith = onAbort();
          return;
        }
        waiter.settled = true;
        const at = lane.waiters.indexOf(waiter);
        if (at >= 0) lane.waiters.splice(at, 1);
        reject(onAbort());
      };
      const waiter: Waiter = {
        records,
        settled: false,
        inFlight: false,
        abortedWith: null,
        refusedSince: null,
        since: this.#deps.monotonic(),
        front,
        resolve: (booking) => {
          signal?.removeEventListener('abort', abort);
          resolve(booking);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', abort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      signal?.addEventListener('abort', abort, { once: true });
      if (front) lane.waiters.unshift(waiter);
      else lane.waiters.push(waiter);
      if (!lane.pumping) void this.#pump(priority, lane);
    });
  }

  #lane(priority: LimiterPriority): Lane {
    let lane = this.#lanes.get(priority);
    if (lane === undefined) {
      lane = { waiters: [], pumping: false };
      this.#lanes.set(priority, lane);
    }
    return lane;
  }

  async #pump(priority: LimiterPriority, lane: Lane): Promise<void> {
    lane.pumping = true;
    try {
      for (let head = this.#head(lane); head !== undefined; head = this.#head(lane)) {
        const answer = await this.#ask(lane, head, priority);
        if (answer === undefined) continue;
        // The head's slot is beyond the horizon. A smaller request waiting behind it may still
        // fit a gap (the limiter lets it go before later bookings without delaying any), so one
        // asks before the lane sleeps: the largest that fits the room the horizon holds, else
        // the smallest, which may find a gap later within its horizon. With mixed chunk sizes
        // this is what keeps the window full instead of idling until a whole large chunk fits.
        head.refusedSince ??= this.#deps.monotonic();
        const mayFill = this.#deps.monotonic() - head.refusedSince <= (this.#deps.gapFillMs ?? 2_000);
        const smaller = mayFill
          ? (this.#largestWithin(lane, Math.min(head.records - 1, answer.roomInHorizon)) ?? this.#smallestBelow(lane, head.records))
          : undefined;
        const second = smaller === undefined ? undefined : await this.#ask(lane, smaller, priority);
        if (smaller !== undefined && second === undefined) continue;
        // Everyone in this lane would get the same answer until the next slot enters the horizon,
        // so the lane sleeps as a whole; an abort meanwhile just takes its waiter out of the queue.
        await sleep(Math.min(answer.retryInMs, second?.retryInMs ?? Number.POSITIVE_INFINITY));
      }
    } finally {
      lane.pumping = false;
    }
  }

  /**
   * Asks Redis to book for one waiter. Returns the refusal, or undefined when the waiter is
   * settled (booked, failed or aborted) and out of the lane.
   */
  async #ask(lane: Lane, waiter: Waiter, priority: LimiterPriority): Promise<Extract<BookAnswer, { kind: 'refused' }> | undefined> {
    let answer: BookAnswer;
    waiter.inFlight = true;
    try {
      answer = await this.#deps.book(waiter.records, priority);
    } catch (error) {
      this.#settle(lane, waiter);
      waiter.reject(waiter.abortedWith ?? error);
      return undefined;
    } finally {
      waiter.inFlight = false;
    }
    const receivedAt = this.#deps.monotonic();
    if (waiter.abortedWith !== null) {
      // Aborted while Redis was booking for it: give the slot back first.
      if (answer.kind === 'booked') await this.#deps.release(answer.member).catch(() => undefined);
      this.#settle(lane, waiter);
      waiter.reject(waiter.abortedWith);
      return undefined;
    }
    if (answer.kind === 'refused') return answer;
    this.#settle(lane, waiter);
    waiter.resolve({ member: answer.member, startAt: answer.startAt, bookedAt: answer.now, receivedAt });
    return undefined;
  }

  /**
   * Who asks next: a waiter that lost its booking, then any waiter waiting longer than
   * agingMs, each in arrival order; else the largest (the earliest of equals). Largest first
   * is best-fit packing: with mixed chunk sizes, a freed slot that a large chunk can fill goes
   * to one, and the smaller chunks are left for the gaps large ones cannot use, instead of
   * taking a large slot and leaving its rest idle for a whole window. (Measured on the
   * throughput bench's mix, bench/RESULTS.md: in arrival order the last chunk spilled into one
   * more window in 2 of 13 runs, 0.926 and 0.937 of the ceiling; largest first, 0 of 8.)
   */
  #head(lane: Lane): Waiter | undefined {
    const agedBefore = this.#deps.monotonic() - (this.#deps.agingMs ?? 30_000);
    return lane.waiters.find((waiter) => waiter.front || waiter.since < agedBefore) ?? this.#largestWithin(lane, Number.POSITIVE_INFINITY);
  }

  #smallestBelow(lane: Lane, records: number): Waiter | undefined {
    let best: Waiter | undefined;
    for (const waiter of lane.waiters) {
      if (waiter.records < records && (best === undefined || waiter.records < best.records)) best = waiter;
    }
    return best;
  }

  #largestWithin(lane: Lane, records: number): Waiter | undefined {
    let best: Waiter | undefined;
    for (const waiter of lane.waiters) {
      if (waiter.records <= records && (best === undefined || waiter.records > best.records)) best = waiter;
    }
    return best;
  }

  #settle(lane: Lane, waiter: Waiter): void {
    waiter.settled = true;
    const at = lane.waiters.indexOf(waiter);
    if (at >= 0) lane.waiters.splice(at, 1);
  }
}
