import { ArrivalLog } from './arrival-log.js';
import { DateStates } from './date-states.js';
import type { ResolvedEmulatorOptions } from './emulator-options.js';
import type { DoneStats, EmulatorStats, EmulatorTotals, FaultCounts, OrderingViolationStats, TopicStats } from './emulator-stats.js';
import { IdLedger } from './id-ledger.js';
import { INITIAL_TOPIC_ORDER, type TopicOrder } from './ordering-rules.js';
import { combineWindows, RateWindows } from './rate-windows.js';
import type { AuthFailureReason } from './request-auth.js';
import { RequestIdMemory } from './request-id-memory.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function zeroTotals(): Mutable<EmulatorTotals> {
  return {
    requestsReceived: 0,
    writeRequests: 0,
    doneRequests: 0,
    acceptedRecords: 0,
    rejectedRecords: 0,
    recordsWithoutId: 0,
    duplicateRequests: 0,
    rateLimited: 0,
    stormRejected: 0,
    authFailures: 0,
    badRequests: 0,
    orderingViolations: 0,
    repeatedDones: 0,
    notFound: 0,
  };
}

function zeroFaults(): Mutable<FaultCounts> {
  return { delayed: 0, http500: 0, http503: 0, hang: 0, reset: 0, outage503: 0, outageReset: 0, oddAnswer: 0 };
}

/**
 * Everything the emulator remembers between requests: idempotency, per-date state, topic
 * ordering, rate windows, the id ledger and the counters behind `stats()`. One instance per
 * emulator; `reset()` returns it to the state right after start-up.
 */
export class EmulatorState {
  readonly requestIds: RequestIdMemory;
  readonly ledger: IdLedger;
  readonly dates = new DateStates();
  readonly windows: RateWindows;
  readonly arrivals = new ArrivalLog();
  readonly #options: ResolvedEmulatorOptions;
  #totals = zeroTotals();
  #faults = zeroFaults();
  #authFailures = new Map<AuthFailureReason, number>();
  #badRequests = new Map<string, number>();
  #order = new Map<string, TopicOrder>();
  #topicRecords = new Map<string, { accepted: number; rejected: number }>();
  #dones: DoneStats[] = [];
  #violations: OrderingViolationStats[] = [];
  #seq = 0;

  constructor(options: ResolvedEmulatorOptions) {
    this.#options = options;
    this.requestIds = new RequestIdMemory(options.requestIdRetentionMs);
    this.ledger = new IdLedger(new Map([...options.topics.values()].map((t) => [t.name, t.idField])));
    this.windows = new RateWindows(options.limits);
  }

  count(key: keyof EmulatorTotals, n = 1): void {
    this.#totals[key] += n;
  }

  countFault(key: keyof FaultCounts): void {
    this.#faults[key] += 1;
  }

  authFailure(reason: AuthFailureReason): void {
    this.#totals.authFailures += 1;
    this.#authFailures.set(reason, (this.#authFailures.get(reason) ?? 0) + 1);
  }

  badRequest(reason: string): void {
    this.#totals.badRequests += 1;
    this.#badRequests.set(reason, (this.#badRequests.get(reason) ?? 0) + 1);
  }

  /** The next position among applied writes and Dones. */
  nextSeq(): number {
    this.#seq += 1;
    return this.#seq;
  }

  topicOrder(topic: string): TopicOrder {
    return this.#order.get(topic) ?? INITIAL_TOPIC_ORDER;
  }

  setTopicOrder(topic: string, order: TopicOrder): void {
    this.#order.set(topic, order);
  }

  violation(violation: OrderingViolationStats): void {
    this.#totals.orderingViolations += 1;
    this.#violations.push(violation);
  }

  done(done: DoneStats): void {
    this.#totals.doneRequests += 1;
    this.#totals.repeatedDones += done.alreadyAcked.length;
    this.#dones.push(done);
  }

  topicRecords(topic: string, accepted: number, rejected: number): void {
    const entry = this.#topicRecords.get(topic) ?? { accepted: 0, rejected: 0 };
    entry.accepted += accepted;
    entry.rejected += rejected;
    this.#topicRecords.set(topic, entry);
  }

  snapshot(): EmulatorStats {
    const windowsByApplication = this.windows.byApplication();
    const topics: Record<string, TopicStats> = {};
    for (const topic of this.#options.topics.keys()) {
      const ledger = this.ledger.summary(topic);
      const records = this.#topicRecords.get(topic) ?? { accepted: 0, rejected: 0 };
      const order = this.topicOrder(topic);
      topics[topic] = {
        idField: ledger?.idField ?? '',
        uniqueIds: ledger?.uniqueIds ?? 0,
        duplicateIds: ledger?.duplicateIds ?? 0,
        recordsWithoutId: ledger?.recordsWithoutId ?? 0,
        acceptedRecords: records.accepted,
        rejectedRecords: records.rejected,
        dailyDone: order.dailyDone,
        streamingOnly: this.#options.streamingOnlyTopics.has(topic) ? 'declared' : order.wentStreamingOnly ? 'went' : false,
      };
    }
    return {
      now: new Date(this.#options.clock.now()).toISOString(),
      totals: { ...this.#totals },
      authFailures: Object.fromEntries(this.#authFailures),
      badRequests: Object.fromEntries(this.#badRequests),
      windows: combineWindows(windowsByApplication),
      windowsByApplication,
      faults: { ...this.#faults },
      topics,
      dates: this.dates.snapshot(),
      dones: this.#dones.map((d) => ({ ...d })),
      orderingViolations: this.#violations.map((v) => ({ ...v })),
    };
  }

  reset(): void {
    this.arrivals.clear();
    this.requestIds.clear();
    this.ledger.clear();
    this.dates.clear();
    this.windows.clear();
    this.#totals = zeroTotals();
    this.#faults = zeroFaults();
    this.#authFailures.clear();
    this.#badRequests.clear();
    this.#order.clear();
    this.#topicRecords.clear();
    this.#dones = [];
    this.#violations = [];
    this.#seq = 0;
  }
}
