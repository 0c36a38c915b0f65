import type { Stage } from 'byteair-sync/internal/src/byteair/stage.js';
import type { LedgerSummary } from './id-ledger.js';
import type { OrderingViolationKind } from './ordering-rules.js';
import type { AuthFailureReason } from './request-auth.js';

/** Per (topic, stage, data date); streaming has one entry per topic with date null. */
export interface DateStats {
  readonly topic: string;
  readonly stage: Stage;
  /** `YYYY-MM-DD`; null for incremental_sync_streaming. */
  readonly date: string | null;
  /** syncing after the first write, acked after Done; streaming entries stay `streaming`. */
  readonly state: 'pending' | 'syncing' | 'acked' | 'streaming';
  /** Writes applied (answered 0 or 1001), each Request-Id once. */
  readonly writeRequests: number;
  readonly acceptedRecords: number;
  /** Records returned in 1001 answers. */
  readonly rejectedRecords: number;
  /** Writes answered 409. */
  readonly duplicateRequests: number;
  /** Writes refused with "Syncing is not allowed when acked.". */
  readonly writesRefusedAfterAck: number;
  /** Sequence numbers (see DoneStats.seq) of the first and last applied write. */
  readonly firstWriteSeq: number | null;
  readonly lastWriteSeq: number | null;
  /** Sequence number of the Done that acked this date. */
  readonly doneSeq: number | null;
  /** Later Dones (new Request-Ids) that named this date again. */
  readonly repeatedDones: number;
}

export interface DoneStats {
  /** Position among applied writes and Dones (1, 2, ...): "each Done after all its chunks". */
  readonly seq: number;
  readonly requestId: string;
  readonly applicationId: string;
  readonly topic: string;
  readonly stage: Stage;
  /** The dates it closed, `YYYY-MM-DD` (the previous day when the body was empty). */
  readonly dates: readonly string[];
  readonly emptyBody: boolean;
  /** Dates this Done acked, and those that were acked already. */
  readonly newlyAcked: readonly string[];
  readonly alreadyAcked: readonly string[];
}

export interface OrderingViolationStats {
  readonly kind: OrderingViolationKind;
  readonly call: 'write' | 'done';
  readonly topic: string;
  readonly stage: Stage;
  readonly requestId: string;
  /** True in strict mode: the request was answered 400 and not applied. */
  readonly refused: boolean;
}

export interface WindowStats {
  /** Heaviest sliding 1-second window of requests that passed auth and validation (429s included). */
  readonly maxRequestsInWindow: number;
  readonly maxRecordsInWindow: number;
  /** The same over admitted requests only (those not answered 429). */
  readonly maxAdmittedRequestsInWindow: number;
  readonly maxAdmittedRecordsInWindow: number;
  /** Arrivals whose window went above maxRequestsPerSecond / maxRecordsPerSecond, limits on or off. */
  readonly requestsOverCeiling: number;
  readonly recordsOverCeiling: number;
}

export interface TopicStats extends LedgerSummary {
  readonly acceptedRecords: number;
  readonly rejectedRecords: number;
  readonly dailyDone: boolean;
  /** `declared` by option, `went` (first streaming write before any daily Done), or false. */
  readonly streamingOnly: 'declared' | 'went' | false;
}

export interface FaultCounts {
  /** Answers delayed by latency/jitter. */
  readonly delayed: number;
  readonly http500: number;
  readonly http503: number;
  readonly hang: number;
  readonly reset: number;
  /** Requests met by a scheduled outage in 503 or reset mode ('refuse' never sees them). */
  readonly outage503: number;
  readonly outageReset: number;
  /** Answers replaced by the `oddAnswer` fault. */
  readonly oddAnswer: number;
}

export interface EmulatorTotals {
  /** Every request on an API path (write, done, unknown), whatever became of it. */
  readonly requestsReceived: number;
  readonly writeRequests: number;
  readonly doneRequests: number;
  readonly acceptedRecords: number;
  readonly rejectedRecords: number;
  readonly recordsWithoutId: number;
  readonly duplicateRequests: number;
  /** 429 answers sent, storms included. */
  readonly rateLimited: number;
  readonly stormRejected: number;
  readonly authFailures: number;
  /** 400 answers of any reason (validation, date state, strict ordering). */
  readonly badRequests: number;
  readonly orderingViolations: number;
  /** Done dates that were acked already. */
  readonly repeatedDones: number;
  readonly notFound: number;
}

export interface EmulatorStats {
  /** The emulator's clock (the injectable one), ISO. */
  readonly now: string;
  readonly totals: EmulatorTotals;
  readonly authFailures: Readonly<Partial<Record<AuthFailureReason, number>>>;
  /** 400 answers by stable reason (application, topic, stage, content-date, empty, ...). */
  readonly badRequests: Readonly<Record<string, number>>;
  /** Over all applications (each figure the maximum of the per-application ones). */
  readonly windows: WindowStats;
  readonly windowsByApplication: Readonly<Record<string, WindowStats>>;
  readonly faults: FaultCounts;
  readonly topics: Readonly<Record<string, TopicStats>>;
  /** Sorted by topic, stage, date. */
  readonly dates: readonly DateStats[];
  /** In the order they were applied. */
  readonly dones: readonly DoneStats[];
  readonly orderingViolations: readonly OrderingViolationStats[];
}
