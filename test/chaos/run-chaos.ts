import type { OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { eventually } from '../support/eventually.js';
import { account, type AccountingFigures } from './chaos-accounting.js';
import { phantomInFlight } from './intake-diagnostics.js';
import type { ChaosPlan } from './chaos-plan.js';
import { REJECT_RULE } from './chaos-records.js';
import { runSteps, type StepRecord } from './chaos-steps.js';
import { OfflineLoad, type BatchSpec, type OfflineLoadFigures } from './offline-load.js';
import { openProductionProducer } from './production-producer.js';
import { StreamLoad, type TopicPushes } from './stream-load.js';
import { WorkerFleet, type ProcessKind } from './worker-fleet.js';

export interface ChaosReport {
  readonly plan: string;
  readonly violations: readonly string[];
  readonly durationsMs: { readonly total: number; readonly phase1: number; readonly phase2: number; readonly drain: number };
  readonly kills: Readonly<Record<ProcessKind, number>>;
  readonly redisRestarts: { readonly graceful: number; readonly sigkill: number };
  readonly steps: readonly StepRecord[];
  readonly offline: OfflineLoadFigures;
  readonly streaming: readonly TopicPushes[];
  readonly emulator: {
    readonly requests: number;
    readonly writes: number;
    readonly dones: number;
    readonly http500: number;
    readonly http503: number;
    readonly hangs: number;
    readonly resets: number;
    readonly answered429: number;
    readonly stormRejected: number;
    readonly authFailures: number;
    readonly clockSkewSeconds: number;
  };
  readonly accounting: AccountingFigures;
}

/**
 * One chaos run: a fresh system on Redis with `appendfsync always`, a fleet of full and
 * single-role workers, streaming and offline load, and the plan's fault steps, in two phases:
 *   1. rejections: batches whose records the rule partly refuses, under faults that lose no
 *      answer (503, hangs and resets before apply, a 429 storm), so byteair-sync must keep
 *      every rejected record;
 *   2. everything: worker kills of every kind, Redis restarts (graceful and SIGKILL), faults
 *      after apply (the answer is lost, the retry must get 409), storms, more batches.
 * Then it drains and does the exact accounting; `violations` is empty when every check held.
 */
export async function runChaos(plan: ChaosPlan, onStep?: (record: StepRecord) => void): Promise<ChaosReport> {
  const startedAt = Date.now();
  const emulatorNow = new Date(startedAt + plan.clockSkewSeconds * 1000).toISOString();
  const system = await startTestSystem({
    appendFsync: 'always',
    env: { BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior', ...plan.env },
    emulatorArgs: [
      '--streaming-only-topics',
      'behavior',
      '--reject-record',
      JSON.stringify(REJECT_RULE),
      '--hang-ms',
      String(plan.hangMs),
      '--now',
      emulatorNow,
      '--clock-advances',
    ],
  });
  let handle: OperationsHandle | undefined;
  try {
    handle = openProductionProducer(system);
    const fleet = new WorkerFleet(system);
    await fleet.start(plan.fleet);
    const stream = new StreamLoad(handle.intake, plan.streams);
    const offline = new OfflineLoad(handle.producer, plan.offlinePaceMs);
    const ctx = { system, fleet, stream, pushThroughRedisRestarts: plan.pushThroughRedisRestarts, startedAt };
    stream.start();

    const phase1Start = Date.now();
    const [, steps1] = await Promise.all([offline.run(plan.phase1.batches), runSteps(plan.phase1.steps, ctx, onStep)]);
    await waitDone(handle, plan.phase1.batches, plan.drainTimeoutMs);
    const phase2Start = Date.now();
    const [, steps2] = await Promise.all([offline.run(plan.phase2.batches), runSteps(plan.phase2.steps, ctx, onStep)]);
    await stream.stop();
    const drainStart = Date.now();
    await drain(
      system,
      handle,
      [...plan.phase1.batches, ...plan.phase2.batches],
      plan.streams.map((s) => s.topic),
      plan.drainTimeoutMs,
    );
    const drained = Date.now();

    const result = await account({
      system,
      handle,
      strictBatches: plan.phase1.batches,
      looseBatches: plan.phase2.batches,
      stream,
      streamTopics: plan.streams.map((s) => s.topic),
    });
    const stats = await system.emulator.stats();
    const violations = [...result.violations];
    if (stats.totals.authFailures > 0)
      violations.push(
        `${stats.totals.authFailures} auth failures with the emulator's clock ${plan.clockSkewSeconds} s ahead: ${JSON.stringify(stats.authFailures)}`,
      );
    const steps = [...steps1, ...steps2];
    const restarts = (how: string): number => steps.filter((s) => s.step.startsWith(`Redis ${how}`)).length;
    return {
      plan: plan.name,
      violations,
      durationsMs: { total: drained - startedAt, phase1: phase2Start - phase1Start, phase2: drainStart - phase2Start, drain: drained - drainStart },
      kills: fleet.kills(),
      redisRestarts: { graceful: restarts('graceful'), sigkill: restarts('sigkill') },
      steps,
      offline: offline.figures(),
      streaming: stream.figures(),
      emulator: {
        requests: stats.totals.requestsReceived,
        writes: stats.totals.writeRequests,
        dones: stats.totals.doneRequests,
        http500: stats.faults.http500,
        http503: stats.faults.http503,
        hangs: stats.faults.hang,
        resets: stats.faults.reset,
        answered429: stats.totals.rateLimited,
        stormRejected: stats.totals.stormRejected,
        authFailures: stats.totals.authFailures,
        clockSkewSeconds: plan.clockSkewSeconds,
      },
      accounting: result.figures,
    };
  } finally {
    await handle?.close();
    await system.stop();
  }
}

async function waitDone(handle: OperationsHandle, specs: readonly BatchSpec[], timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const statuses = await handle.producer.batches();
      const done = specs.every((spec) =>
        statuses.some((s) => s.topic === spec.topic && s.stage === spec.stage && s.date === spec.date && s.state === 'done-acked'),
      );
      return done ? true : undefined;
    },
    `batches ${specs.map((s) => `${s.topic}/${s.stage}/${s.date}`).join(', ')} to be done-acked`,
    timeoutMs,
    250,
  );
}

/** Every batch done-acked, every intake cut, uploaded and settled, both queues empty. */
async function drain(
  system: TestSystem,
  handle: OperationsHandle,
  specs: readonly BatchSpec[],
  streamTopics: readonly string[],
  timeoutMs: number,
): Promise<void> {
  try {
    await waitDone(handle, specs, timeoutMs);
    await eventually(
      async () => ((await drainState(handle, streamTopics)).drained ? true : undefined),
      'the streaming intakes and the queues to drain',
      timeoutMs,
      250,
    );
  } catch (error) {
    // Say what is stuck: a timeout alone would leave a failed run undiagnosed.
    const state = await drainState(handle, streamTopics);
    const batches = (await handle.producer.batches())
      .filter((b) => b.state !== 'done-acked')
      .map((b) => `${b.batchId} ${b.state} ${b.settledChunks}/${b.chunks}`);
    throw new Error(`${(error as Error).message}\nstuck: ${JSON.stringify({ ...state, batchesNotDone: batches })}`, { cause: error });
  }
  // The ledger is read from the emulator: let its last answers land.
  await system.emulator.stats();
}

async function drainState(handle: OperationsHandle, streamTopics: readonly string[]): Promise<{ drained: boolean; streams: unknown[]; queues: unknown }> {
  const status = await handle.operations.status();
  const streams = await Promise.all(
    status.topics
      .filter((t) => streamTopics.includes(t.topic))
      // Cuts a killed batcher left unfinished are taken over after their lease; count them too.
      .map(async (t) => ({
        topic: t.topic,
        ...t.streaming,
        openCuts: await handle.redis.hlen(handle.keys.intakeCuts(t.topic)),
        // Completed chunks left in the in-flight set (B4) would never leave it: say so.
        phantoms: (await phantomInFlight(handle, t.topic)).length,
        held: t.heldJobs,
      })),
  );
  const idle = streams.every((t) => t.waiting === 0 && t.chunksInFlight === 0 && t.openCuts === 0);
  const { upload, done } = status.queues;
  const empty = upload.waiting + upload.active + upload.delayed + done.waiting + done.active + done.delayed === 0;
  return { drained: idle && empty, streams, queues: status.queues };
}
