import { performance } from 'node:perf_hooks';
import type { LimitsConfig } from '../config/config.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import { abortableSleep } from './abortable-sleep.js';
import { effectiveCeiling } from './aimd.js';
import { BookingLanes, type BookAnswer, type Booking } from './booking-lanes.js';
import { LimiterAbortedError, LimiterProtocolError } from './limiter-errors.js';
import { resolveLimiterOptions, validatePriority, validateRecordCount, type RateLimiterOptions, type RateLimiterSettings } from './limiter-options.js';
import { BOOK, CONFIRM, PENALIZE, RELEASE, SENT, USAGE } from './limiter-scripts.js';
import { SharedPathSamples } from './path-samples.js';
import { DEFAULT_SPREAD_MIN_SAMPLES, DEFAULT_SPREAD_SAMPLES, PathSpread, type PathSample } from './path-spread.js';
import type { LimiterPriority, LimiterUsage, RateLimiter, SendReport } from './rate-limiter.js';

/** What acquire() hands back: the contract's wait, plus the Redis times that prove exactness. */
export interface LimiterGrant {
  readonly waitedMs: number;
  /** The booked start (Redis epoch ms); the log counts the request at this instant. */
  readonly startAt: number;
  /** Redis time when the booking that held was made. */
  readonly bookedAt: number;
  /**
   * That booking's place in the order Redis made bookings in, across every process sharing the
   * limiter (a counter in its state; it restarts only if the state expires after idling).
   */
  readonly bookingSeq: number;
  /** Redis time when the holder confirmed it was on time, right before sending. */
  readonly confirmedAt: number;
  /** How many times the booking was lost (late wake-up, 429 drop, displaced by a late send) and made again. */
  readonly rebooked: number;
  /** Call once the request is on the wire (see LimiterGrantInfo.sent). */
  sent(): Promise<SendReport>;
}

export interface RedisRateLimiterDeps {
  readonly redis: RedisClient;
  readonly keys: Keyspace;
  readonly options?: RateLimiterSettings;
  /** Local monotonic ms for sleep lengths and the waited metric; bookings use Redis TIME only. */
  readonly monotonic?: () => number;
}

/**
 * The global limiter (DESIGN.md invariants 3 and 4): an exact sliding window of 1000 + margin
 * ms over both requests and records, shared by every process through one Redis sorted set
 * of bookings. acquire() books a start with one atomic script, sleeps until it, confirms with
 * Redis that it woke on time, and returns; the caller sends at once.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly options: RateLimiterOptions;
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;
  readonly #monotonic: () => number;
  readonly #lanes: BookingLanes;
  readonly #spread: PathSpread;
  readonly #pooled: SharedPathSamples;

  constructor(deps: RedisRateLimiterDeps) {
    this.options = resolveLimiterOptions(deps.options);
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    this.#monotonic = deps.monotonic ?? (() => performance.now());
    this.#spread = new PathSpread({
      floorMs: this.options.marginMs,
      capMs: this.options.marginCapMs,
      samples: DEFAULT_SPREAD_SAMPLES,
      minSamples: DEFAULT_SPREAD_MIN_SAMPLES,
    });
    this.#pooled = new SharedPathSamples(deps.redis, deps.keys, DEFAULT_SPREAD_SAMPLES);
    this.#lanes = new BookingLanes({
      book: (records, priority) => this.#book(records, priority),
      release: (member) => this.#release(member),
      monotonic: this.#monotonic,
    });
  }

  async acquire(records: number, priority: LimiterPriority, signal?: AbortSignal, onBooked?: () => void): Promise<LimiterGrant> {
    validateRecordCount(records);
    validatePriority(priority);
    const started = this.#monotonic();
    const onAbort = (): Error => new LimiterAbortedError(priority, records, signal?.reason);
    for (let rebooked = 0; ; rebooked += 1) {
      const booking = await this.#lanes.reserve(records, priority, signal, onAbort, rebooked > 0);
      onBooked?.();
      const confirmed = await this.#waitForStart(booking, signal, onAbort);
      if (confirmed !== null) {
        return {
          waitedMs: this.#monotonic() - started,
          startAt: booking.startAt,
          bookedAt: booking.bookedAt,
          bookingSeq: bookingSeqOf(booking.member),
          confirmedAt: confirmed.at,
          rebooked,
          sent: () => {
            // The Redis time of this very moment, at the latest: the confirmation was taken no
            // earlier than askedAt, and the local clock has run this long since.
            const atMost = confirmed.at + Math.ceil(this.#monotonic() - confirmed.askedAt);
            return this.#sent(booking.member, atMost);
          },
        };
      }
    }
  }

  async penalize(retryAfterMs: number | undefined): Promise<void> {
    const pause = retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0 ? '' : String(Math.ceil(retryAfterMs));
    const { aimd } = this.options;
    await PENALIZE.run(
      this.#redis,
      [this.#keys.limiterLog, this.#keys.limiterState],
      [pause, aimd.decrease, aimd.floor, aimd.recoveryPerSecond, aimd.holdMs, aimd.fastRecoveryPerSecond, aimd.calmMs],
    );
  }

  async observeAnswer(host: string, answerMs: number, continueMs?: number): Promise<void> {
    // Counted here before anything is awaited, so the next booking sees it whatever Redis does.
    this.#spread.observe(host, answerMs, continueMs);
    const sample = validSample(answerMs, continueMs);
    if (sample === undefined) return;
    this.#spread.replace(host, await this.#pooled.add(host, sample));
  }

  /**
   * What the scripts are told of this process's path, read once per call: its window (one second
   * plus the margin its measured path spread needs), that spread, and '1' once it has measured a
   * path: only then does its window outrank another's report (limiter-scripts.ts).
   */
  #path(): { windowMs: number; spreadMs: number; measured: '1' | '0' } {
    const reading = this.#spread.reading();
    return { windowMs: 1000 + reading.marginMs, spreadMs: reading.spreadMs, measured: reading.measured ? '1' : '0' };
  }

  async usage(): Promise<LimiterUsage> {
    // A process that has measured nothing (the dashboard, operations) reports the workers' window, not its own cautious one.
    const path = this.#path();
    const ownWindow = path.measured === '1' ? path.windowMs : 1000 + this.options.marginMs;
    const reply = await USAGE.run(
      this.#redis,
      [this.#keys.limiterLog, this.#keys.limiterState],
      [ownWindow, this.options.aimd.recoveryPerSecond, path.measured],
    );
    const [requests, records, factorText, pausedUntil, at, window, spread] = tuple(reply, 7, 'usage');
    const factor = Number(factorText);
    return {
      requestsInWindow: Number(requests),
      recordsInWindow: Number(records),
      maxRequestsPerSecond: this.options.maxRequestsPerSecond,
      maxRecordsPerSecond: this.options.maxRecordsPerSecond,
      effectiveRequestsPerSecond: effectiveCeiling(this.options.maxRequestsPerSecond, factor),
      effectiveRecordsPerSecond: effectiveCeiling(this.options.maxRecordsPerSecond, factor),
      ceilingFactor: factor,
      pausedUntil: Number(pausedUntil),
      at: Number(at),
      marginMs: Number(window) - 1000,
      pathSpreadMs: Math.max(Number(spread), path.spreadMs),
    };
  }

  async #book(records: number, priority: LimiterPriority): Promise<BookAnswer> {
    const o = this.options;
    const path = this.#path();
    const reply = await BOOK.run(
      this.#redis,
      [this.#keys.limiterLog, this.#keys.limiterState],
      [
        records,
        o.horizonsMs[priority],
        o.maxRequestsPerSecond,
        o.maxRecordsPerSecond,
        path.windowMs,
        o.aimd.recoveryPerSecond,
        Math.round(path.spreadMs),
        path.measured,
      ],
    );
    const [booked, value, now, member] = tuple(reply, 4, 'book');
    if (Number(booked) === 1) return { kind: 'booked', member: String(member), startAt: Number(value), now: Number(now) };
    const [, , , , room] = tuple(reply, 5, 'book');
    return { kind: 'refused', retryInMs: Math.max(1, Number(value)), now: Number(now), roomInHorizon: Number(room) };
  }

  async #sent(member: string, atMost: number): Promise<SendReport> {
    const o = this.options;
    const path = this.#path();
    const reply = await SENT.run(
      this.#redis,
      [this.#keys.limiterLog, this.#keys.limiterState],
      [member, o.maxRequestsPerSecond, o.maxRecordsPerSecond, path.windowMs, o.aimd.recoveryPerSecond, atMost, path.measured],
    );
    const [lateMs, displaced] = tuple(reply, 2, 'sent');
    return { lateMs: Number(lateMs), displaced: Number(displaced) };
  }

  async #release(member: string): Promise<void> {
    await RELEASE.run(this.#redis, [this.#keys.limiterLog], [member]);
  }

  /**
   * Sleeps until the booked start and confirms it with Redis. Returns the Redis time of the
   * confirmation and the local monotonic time it was asked at, or null when the booking was
   * lost: woken more than lateToleranceMs late, displaced by a late send, or dropped by a 429.
   */
  async #waitForStart(booking: Booking, signal: AbortSignal | undefined, onAbort: () => Error): Promise<{ at: number; askedAt: number } | null> {
    let waitMs = booking.startAt - booking.bookedAt - (this.#monotonic() - booking.receivedAt);
    for (;;) {
      try {
        await abortableSleep(waitMs, signal, onAbort);
      } catch (error) {
        await this.#release(booking.member).catch(() => undefined);
        throw error;
      }
      const askedAt = this.#monotonic();
      const reply = await CONFIRM.run(this.#redis, [this.#keys.limiterLog], [booking.member, this.options.lateToleranceMs]);
      const [verdict, value] = tuple(reply, 2, 'confirm');
      switch (String(verdict)) {
        case 'ok':
          if (signal?.aborted === true) {
            await this.#release(booking.member).catch(() => undefined);
            throw onAbort();
          }
          return { at: Number(value), askedAt };
        case 'early':
          waitMs = Number(value);
          continue;
        case 'late':
        case 'gone':
          return null;
        default:
          throw new LimiterProtocolError(`unexpected confirm verdict ${String(verdict)}`);
      }
    }
  }
}

/** The limiter a worker uses, from the validated config (ceilings and margin). */
export function createRateLimiter(
  redis: RedisClient,
  keys: Keyspace,
  limits: LimitsConfig,
  extra: Omit<RateLimiterSettings, 'maxRequestsPerSecond' | 'maxRecordsPerSecond' | 'marginMs' | 'marginCapMs'> = {},
): RedisRateLimiter {
  return new RedisRateLimiter({
    redis,
    keys,
    options: {
      ...extra,
      maxRequestsPerSecond: limits.maxRequestsPerSecond,
      maxRecordsPerSecond: limits.maxRecordsPerSecond,
      marginMs: limits.marginMs,
      marginCapMs: limits.marginCapMs,
    },
  });
}

/** The timing as PathSpread.observe counts it: nothing without a usable answer time, no unusable continue time. */
function validSample(answerMs: number, continueMs: number | undefined): PathSample | undefined {
  const usable = (ms: number | undefined): ms is number => ms !== undefined && Number.isFinite(ms) && ms >= 0;
  if (!usable(answerMs)) return undefined;
  return usable(continueMs) ? { answerMs, continueMs } : { answerMs };
}

/** A log member is `seq:records` (limiter-scripts.ts BOOK). */
function bookingSeqOf(member: string): number {
  const seq = Number(member.slice(0, member.indexOf(':')));
  if (!Number.isSafeInteger(seq)) throw new LimiterProtocolError(`limiter book script answered member ${JSON.stringify(member)}`);
  return seq;
}

function tuple(reply: unknown, length: number, script: string): readonly unknown[] {
  if (!Array.isArray(reply) || reply.length < length) throw new LimiterProtocolError(`limiter ${script} script answered ${JSON.stringify(reply)}`);
  return reply as unknown[];
}
