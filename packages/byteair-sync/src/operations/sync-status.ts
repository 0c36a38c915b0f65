import type { Queue } from 'bullmq';
import { OFFLINE_STAGES, type OfflineStage, type Stage } from '../byteair/stage.js';
import type { BatchStatus } from '../batches/batch-store.js';
import type { TopicGuardState } from '../guard/stage-rules.js';
import { streamingAllowed } from '../guard/stage-rules.js';
import type { CircuitSnapshot, LimiterUsage } from '../limiter/rate-limiter.js';
import { dailyFreshness, type DailyFreshness } from '../freshness/daily-freshness.js';
import type { TimeOfDay } from '../freshness/time-of-day.js';
import type { RedisMemory } from '../redis/redis-memory.js';
import type { IntakeStatus } from '../streaming/intake-status.js';

export interface StageProgress {
  readonly batches: number;
  /** Batches by state. */
  readonly open: number;
  readonly sealed: number;
  readonly doneDue: number;
  readonly doneAcked: number;
  readonly records: number;
  readonly acceptedRecords: number;
  readonly rejectedRecords: number;
  /** Chunks failed for good (replay them), over all batches of the stage. */
  readonly failedChunks: number;
  /** The newest date whose Done is acknowledged (`YYYY-MM-DD`), or null. */
  readonly lastDoneDate: string | null;
}

export interface TopicStatus {
  readonly topic: string;
  readonly mode: TopicGuardState['mode'];
  readonly stageOrder: boolean;
  readonly firstDailyDone: TopicGuardState['firstDailyDone'];
  readonly streamingStartedAt: number | null;
  /** Whether streaming data may flow now (else the intake is the held backlog). */
  readonly streamingAllowed: boolean;
  readonly stages: Readonly<Record<OfflineStage, StageProgress>>;
  readonly streaming: IntakeStatus;
  /** Upload jobs parked by the stage guard, per stage. */
  readonly heldJobs: Readonly<Record<Stage, number>>;
  /** Whether every daily date due by now has its Done acknowledged (BYTEAIR_DAILY_DONE_BY). */
  readonly dailyFreshness: DailyFreshness;
}

/** What judging freshness needs besides the batches: the clock reading, the zone, the topic's deadline. */
export interface FreshnessRule {
  readonly now: number;
  readonly zone: string;
  readonly doneBy: TimeOfDay | null;
}

export interface QueueCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
  readonly paused: boolean;
}

export interface SyncStatus {
  /** Epoch ms of this reading. */
  readonly at: number;
  readonly topics: readonly TopicStatus[];
  /** Every batch, newest first. */
  readonly batches: readonly BatchStatus[];
  readonly limiter: LimiterUsage;
  readonly circuit: CircuitSnapshot;
  readonly queues: { readonly upload: QueueCounts; readonly done: QueueCounts };
  readonly redisMemory: RedisMemory;
}

export function stageProgress(batches: readonly BatchStatus[], topic: string, stage: OfflineStage): StageProgress {
  const mine = batches.filter((b) => b.topic === topic && b.stage === stage);
  const count = (state: BatchStatus['state']): number => mine.filter((b) => b.state === state).length;
  const sum = (pick: (b: BatchStatus) => number): number => mine.reduce((total, b) => total + pick(b), 0);
  return {
    batches: mine.length,
    open: count('open'),
    sealed: count('sealed'),
    doneDue: count('done-due'),
    doneAcked: count('done-acked'),
    records: sum((b) => b.records),
    acceptedRecords: sum((b) => b.acceptedRecords),
    rejectedRecords: sum((b) => b.rejectedRecords),
    failedChunks: sum((b) => b.failedChunks.length),
    lastDoneDate: newestDate(doneDates(mine)),
  };
}

function doneDates(batches: readonly BatchStatus[]): Set<string> {
  return new Set(batches.filter((b) => b.state === 'done-acked').map((b) => b.date));
}

function newestDate(dates: ReadonlySet<string>): string | null {
  // YYYY-MM-DD sorts as text.
  return [...dates].sort().at(-1) ?? null;
}

export function topicStatus(
  guard: TopicGuardState,
  batches: readonly BatchStatus[],
  streaming: IntakeStatus,
  heldJobs: Record<Stage, number>,
  rule: FreshnessRule,
): TopicStatus {
  const daily = doneDates(batches.filter((b) => b.topic === guard.topic && b.stage === 'incremental_sync_daily'));
  return {
    topic: guard.topic,
    mode: guard.mode,
    stageOrder: guard.stageOrder,
    firstDailyDone: guard.firstDailyDone,
    streamingStartedAt: guard.streamingStartedAt,
    streamingAllowed: streamingAllowed(guard),
    stages: Object.fromEntries(OFFLINE_STAGES.map((stage) => [stage, stageProgress(batches, guard.topic, stage)])) as Record<OfflineStage, StageProgress>,
    streaming,
    heldJobs,
    dailyFreshness: dailyFreshness({ ...rule, firstDailyDoneDate: guard.firstDailyDone?.date ?? null, doneDates: daily }),
  };
}

export async function queueCounts(queue: Queue): Promise<QueueCounts> {
  const [counts, paused] = await Promise.all([queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'), queue.isPaused()]);
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    completed: counts.completed ?? 0,
    failed: counts.failed ?? 0,
    paused,
  };
}
