import type { FaultsPatch } from 'byteair-emulator';
import type { RedisRestartKind } from '../support/restartable-redis.js';
import type { TestSystem } from '../support/system.js';
import { sleep } from './offline-load.js';
import type { StreamLoad } from './stream-load.js';
import type { ProcessKind, WorkerFleet } from './worker-fleet.js';

/** One thing a chaos run does to the system, in order, while the load runs. */
export type ChaosStep =
  | { readonly kind: 'kill'; readonly process: ProcessKind }
  | { readonly kind: 'redis-restart'; readonly how: RedisRestartKind; readonly downMs: number }
  /** Emulator faults on for `forMs`, then off again (the rejection rule stays). */
  | { readonly kind: 'faults'; readonly label: string; readonly patch: FaultsPatch; readonly forMs: number }
  /** Every API request answered 429 for `seconds`. */
  | { readonly kind: 'storm'; readonly seconds: number }
  | { readonly kind: 'pause'; readonly ms: number };

/** The faults of a 'faults' step switched off again; latency too, hangMs and rules untouched. */
const FAULTS_OFF: FaultsPatch = { p500: 0, p503: 0, pHang: 0, pReset: 0, afterApply: false, latencyMs: 0, jitterMs: 0 };

export interface StepRecord {
  /** ms since the run started. */
  readonly atMs: number;
  readonly step: string;
  readonly tookMs: number;
}

export interface StepContext {
  readonly system: TestSystem;
  readonly fleet: WorkerFleet;
  readonly stream: StreamLoad;
  /**
   * Keep pushing while Redis restarts. Off by default: a push in flight at the restart may be
   * applied twice (no idempotency key; docs/durability.md, known gaps), which the accounting
   * would rightly report as a record sent twice.
   */
  readonly pushThroughRedisRestarts: boolean;
  readonly startedAt: number;
}

export function describeStep(step: ChaosStep): string {
  switch (step.kind) {
    case 'kill':
      return `SIGKILL ${step.process} worker`;
    case 'redis-restart':
      return `Redis ${step.how} restart (${step.downMs} ms down)`;
    case 'faults':
      return `faults ${step.label} for ${step.forMs} ms`;
    case 'storm':
      return `429 storm ${step.seconds} s`;
    case 'pause':
      return `pause ${step.ms} ms`;
  }
}

export async function runStep(step: ChaosStep, ctx: StepContext): Promise<StepRecord> {
  const began = Date.now();
  switch (step.kind) {
    case 'kill':
      await ctx.fleet.kill(step.process);
      break;
    case 'redis-restart':
      if (!ctx.pushThroughRedisRestarts) await ctx.stream.quiesce();
      try {
        await ctx.system.restartRedis(step.how, step.downMs);
      } finally {
        ctx.stream.resume();
      }
      break;
    case 'faults':
      await ctx.system.emulator.setFaults(step.patch);
      await sleep(step.forMs);
      await ctx.system.emulator.setFaults(FAULTS_OFF);
      break;
    case 'storm':
      await ctx.system.emulator.storm(step.seconds);
      await sleep(step.seconds * 1000);
      break;
    case 'pause':
      await sleep(step.ms);
      break;
  }
  return { atMs: began - ctx.startedAt, step: describeStep(step), tookMs: Date.now() - began };
}

export async function runSteps(steps: readonly ChaosStep[], ctx: StepContext, onStep?: (record: StepRecord) => void): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  for (const step of steps) {
    const record = await runStep(step, ctx);
    records.push(record);
    onStep?.(record);
  }
  return records;
}
