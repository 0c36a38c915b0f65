import type { ChaosStep } from './chaos-steps.js';
import type { BatchSpec } from './offline-load.js';
import type { StreamSpec } from './stream-load.js';
import type { FleetShape } from './worker-fleet.js';

export interface ChaosPhase {
  readonly batches: readonly BatchSpec[];
  readonly steps: readonly ChaosStep[];
}

export interface ChaosPlan {
  readonly name: string;
  readonly fleet: FleetShape;
  /** The emulator's clock runs this far ahead of ours: inside the 900 s Volc window, so valid. */
  readonly clockSkewSeconds: number;
  /** How long a hung request is held before the emulator drops it. */
  readonly hangMs: number;
  readonly streams: readonly StreamSpec[];
  /** Pause between two batch add() calls, so offline production overlaps the steps. */
  readonly offlinePaceMs: number;
  readonly phase1: ChaosPhase;
  readonly phase2: ChaosPhase;
  readonly pushThroughRedisRestarts: boolean;
  /** Settings for every worker process, on top of the test system's. */
  readonly env: Readonly<Record<string, string>>;
  readonly drainTimeoutMs: number;
}

/** Faults that strike before the request is applied: nothing reaches the ledger, nothing is lost. */
const BEFORE_APPLY = { p503: 0.15, pHang: 0.03, pReset: 0.04 };
/** Faults that strike after: the data is in, the answer lost; the retry must be answered 409. */
const AFTER_APPLY = { p500: 0.05, p503: 0.1, pHang: 0.03, pReset: 0.05, afterApply: true };

/** One round of every fault of phase 2, about 30 s; `s` scales the pauses. */
export function faultCycle(s = 1): ChaosStep[] {
  return [
    { kind: 'kill', process: 'full' },
    { kind: 'faults', label: 'after apply (500/503/hang/reset)', patch: AFTER_APPLY, forMs: 6_000 * s },
    { kind: 'kill', process: 'batcher' },
    { kind: 'redis-restart', how: 'graceful', downMs: 500 },
    { kind: 'pause', ms: 2_000 * s },
    { kind: 'kill', process: 'upload' },
    { kind: 'storm', seconds: 2 },
    { kind: 'faults', label: 'before apply (503/hang/reset)', patch: BEFORE_APPLY, forMs: 5_000 * s },
    { kind: 'redis-restart', how: 'sigkill', downMs: 500 },
    { kind: 'pause', ms: 2_000 * s },
    { kind: 'kill', process: 'done' },
    { kind: 'kill', process: 'full' },
    { kind: 'kill', process: 'batcher' },
    { kind: 'pause', ms: 2_000 * s },
  ];
}

const PHASE1_STEPS: readonly ChaosStep[] = [
  { kind: 'faults', label: 'before apply (503/hang/reset)', patch: BEFORE_APPLY, forMs: 6_000 },
  { kind: 'storm', seconds: 2 },
  { kind: 'faults', label: 'before apply (500)', patch: { p500: 0.1 }, forMs: 3_000 },
];

const COMMON = {
  fleet: { full: 2, batcher: 1, upload: 1, done: 1 },
  clockSkewSeconds: 600,
  hangMs: 6_000,
  pushThroughRedisRestarts: false,
  env: {
    // A request held past the timeout is retried; answers slower than a loaded 2-core box
    // produces stay inside it, so phase 1 loses no answer to a timeout.
    BYTEAIR_REQUEST_TIMEOUT_MS: '4000',
    // Smaller chunks: many more requests for the faults to strike in the same minutes.
    BYTEAIR_MAX_RECORDS_PER_REQUEST: '1000',
    BYTEAIR_STREAM_BATCH_SIZE: '100',
  },
} as const;

/** The CI variant (test/system/chaos-short.test.ts): two fault cycles, about 1.5 minutes. */
export const SHORT_PLAN: ChaosPlan = {
  ...COMMON,
  name: 'short',
  streams: [
    { topic: 'behavior', perPush: 50, everyMs: 50 },
    { topic: 'item', perPush: 20, everyMs: 100 },
  ],
  offlinePaceMs: 1_200,
  phase1: {
    batches: [
      { topic: 'user', stage: 'history_sync', date: '2022-03-01', records: 15_000, withRejections: true },
      { topic: 'item', stage: 'incremental_sync_daily', date: '2022-03-01', records: 8_000 },
    ],
    steps: PHASE1_STEPS,
  },
  phase2: {
    batches: [
      { topic: 'item', stage: 'pre_sync', date: '2022-03-02', records: 6_000 },
      { topic: 'item', stage: 'history_sync', date: '2022-03-02', records: 20_000 },
      { topic: 'user', stage: 'history_sync', date: '2022-03-02', records: 15_000, withRejections: true },
      { topic: 'item', stage: 'incremental_sync_daily', date: '2022-03-03', records: 6_000 },
    ],
    steps: [...faultCycle(), ...faultCycle()],
  },
  drainTimeoutMs: 120_000,
};

/**
 * The full run (`npm run chaos`): five fault cycles (1.5 times as long), about seven times the data. CHAOS_CYCLES
 * changes the number of cycles.
 */
export function fullPlan(cycles = 5): ChaosPlan {
  const dates = Array.from({ length: cycles }, (_, i) => `2022-05-${String(i + 1).padStart(2, '0')}`);
  return {
    ...COMMON,
    name: `full (${cycles} cycles)`,
    streams: [
      { topic: 'behavior', perPush: 200, everyMs: 50 },
      { topic: 'item', perPush: 50, everyMs: 50 },
    ],
    offlinePaceMs: 800,
    phase1: {
      batches: [
        { topic: 'user', stage: 'history_sync', date: '2022-04-01', records: 60_000, withRejections: true },
        { topic: 'item', stage: 'incremental_sync_daily', date: '2022-04-01', records: 30_000 },
      ],
      steps: [...PHASE1_STEPS, ...PHASE1_STEPS],
    },
    phase2: {
      batches: [
        { topic: 'item', stage: 'pre_sync', date: '2022-04-02', records: 30_000 },
        ...dates.flatMap((date): BatchSpec[] => [
          { topic: 'item', stage: 'history_sync', date, records: 40_000 },
          { topic: 'user', stage: 'history_sync', date, records: 30_000, withRejections: true },
        ]),
        { topic: 'item', stage: 'incremental_sync_daily', date: '2022-04-03', records: 30_000 },
      ],
      steps: Array.from({ length: cycles }, () => faultCycle(1.5)).flat(),
    },
    drainTimeoutMs: 300_000,
  };
}
