/**
 * Contracts of the global limiter and the circuit breaker. The upload processor depends
 * on these narrow interfaces only; the Redis implementations live beside them.
 */

/**
 * Who is asking. Chunks waiting for the limiter are served in this order: streaming first,
 * then Done calls, then daily, history, pre_sync.
 */
export const LIMITER_PRIORITIES = ['streaming', 'done', 'daily', 'history', 'pre_sync'] as const;
export type LimiterPriority = (typeof LIMITER_PRIORITIES)[number];

export interface LimiterUsage {
  /** Requests and records booked in the sliding window ending now (Redis time). */
  readonly requestsInWindow: number;
  readonly recordsInWindow: number;
  /** The ceilings as configured, and as currently lowered by AIMD after 429s. */
  readonly maxRequestsPerSecond: number;
  readonly maxRecordsPerSecond: number;
  readonly effectiveRequestsPerSecond: number;
  readonly effectiveRecordsPerSecond: number;
  /** 1 = full speed; lowered multiplicatively on 429, recovers additively. */
  readonly ceilingFactor: number;
  /** Bookings are paused until this Redis time (epoch ms) after a 429 with Retry-After; 0 = not paused. */
  readonly pausedUntil: number;
  /** Redis time of this reading, epoch ms. */
  readonly at: number;
  /** The margin in use (ms added to the 1-second window): the widest any worker needs now. */
  readonly marginMs: number;
  /** The path spread (ms, p99 - p1 of answer times) that margin was derived from; 0 before any measurement. */
  readonly pathSpreadMs: number;
}

export interface LimiterGrantInfo {
  readonly waitedMs: number;
  /** Booked start, Redis epoch ms. */
  readonly startAt: number;
  /** Redis epoch ms at which the holder, awake at its start, confirmed the booking. */
  readonly confirmedAt: number;
  /**
   * Call as soon as the request is on the wire. A request that went out later than booked
   * (a busy event loop, a slow socket, a process the OS did not run) then counts from when it
   * really left, and later bookings that no longer fit beside it are made again, so no API
   * second holds more than the ceilings even when a request leaves late.
   */
  sent(): Promise<SendReport>;
}

export interface SendReport {
  /** How late (ms) the request went out after its booked start; 0 when on time. */
  readonly lateMs: number;
  /** Later bookings it displaced: they no longer fitted beside it, so their holders book again. */
  readonly displaced: number;
}

export interface RateLimiter {
  /**
   * Waits until one request carrying `records` records may be sent without any sliding
   * 1-second window (across every process) exceeding either ceiling, books it, and resolves
   * right when the request should go out. Rejects when `signal` aborts. `onBooked` is called
   * each time a start is booked for it (before the wait until that start).
   */
  acquire(records: number, priority: LimiterPriority, signal?: AbortSignal, onBooked?: () => void): Promise<LimiterGrantInfo>;
  /** A 429 arrived: lower the ceiling for every process (AIMD); with retryAfterMs, pause all bookings that long. */
  penalize(retryAfterMs: number | undefined): Promise<void>;
  /**
   * One answered call: ms from the request written to its answer, and to its `100 Continue` if
   * one came, per API host (the margin follows their spread). It counts for this process at
   * once; the promise settles when it is pooled with every other worker's (path-samples.ts),
   * and rejects only if that failed, which leaves this process measuring on its own.
   */
  observeAnswer(host: string, answerMs: number, continueMs?: number): Promise<void>;
  usage(): Promise<LimiterUsage>;
}

export type CircuitAdmission =
  /** Call normally. */
  | { readonly kind: 'closed' }
  /** The circuit is half-open and this caller holds the single probe slot. */
  | { readonly kind: 'probe'; readonly probeId: string }
  /** Do not call; ask again after retryInMs. */
  | { readonly kind: 'open'; readonly retryInMs: number };

export interface CircuitSnapshot {
  readonly state: 'closed' | 'open' | 'half-open';
  readonly consecutiveFailures: number;
  /** Epoch ms when the next probe may start (open state). */
  readonly reopensAt: number;
  readonly cooldownMs: number;
  readonly openedAt: number;
}

export interface CircuitBreaker {
  /** Before every API call. */
  admit(): Promise<CircuitAdmission>;
  /** After a call that reached the API and got an answer (any answer but 5xx-class). */
  recordSuccess(admission: CircuitAdmission): Promise<void>;
  /** After an upstream-unavailable outcome. Tells whether the circuit is (now) open. */
  recordFailure(admission: CircuitAdmission): Promise<{ readonly open: boolean; readonly retryInMs: number }>;
  snapshot(): Promise<CircuitSnapshot>;
}
