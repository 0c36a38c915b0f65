import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMachine } from './harness/machine.js';
import { BenchFlags } from './harness/flags.js';
import { spread } from './harness/figures.js';
import { batchGrid } from './harness/offline-workload.js';
import type { WorkerKind } from './harness/bench-system.js';

import { runThroughputScenario, type ThroughputFigures } from './throughput-scenario.js';

/**
 * `npm run bench -- throughput [--runs 3] [--workers 4] [--dates 3] [--baseline-max 2[,5...] | --no-baseline] [--env K=V]... [--no-limits] [--uniform-chunks] [--no-tap] [--keep-tap] [--monitor-emulator FILE[+cpu]] [--time-boot]`
 * (never faster than the ceilings in any sliding second, and ≥ 0.95 of the records ceiling with a backlog)
 *
 * 1 008 000 history_sync records (3 topics x 3 dates, ~300-byte records; per batch ten full
 * 10 000-record chunks and three odd-sized ones) through 4 worker processes against the
 * emulator with its limits on at the documented ceiling (100 req/s, 50 000 rec/s). The queue
 * is filled before the workers start, which is when Redis memory per queued byte is taken;
 * the workers boot with the queues paused, which are resumed once every worker is ready
 * (--time-boot: not paused, so the clock runs while four processes load their modules).
 * Each run does the same workload twice, side by side on fresh systems, in alternating order:
 * with our sliding-window limiter, and with it bypassed for BullMQ's job-count limiter
 * {max, duration: 1000} (bench/baseline-worker.ts).
 *
 * Choosing the baseline's max: BullMQ counts job starts in a fixed window that opens at the
 * first start, and with a backlog all `max` starts of a window happen together. Arrival
 * times at the API wobble by tens of ms, so two consecutive windows' requests can fall into
 * one sliding second; chunks may hold 10 000 records and BullMQ cannot weigh them, so the
 * largest max that can never exceed 50 000 records in a sliding second is
 * floor(50 000 / (2 x 10 000)) = 2. (The request ceiling, 100/s, allows 50.)
 */
const TOPICS = ['item', 'user', 'behavior'];
/** Per batch: 112 000 records, cut into ten full chunks and chunks of 4 321, 777 and 6 902. */
const SLICES = [30_000, 4_321, 50_000, 777, 20_000, 6_902];
/**
 * With --uniform-chunks: 120 000 records per batch in adds of whole chunks only, so every
 * chunk holds 10 000 records. Separates what the window margin costs from what packing mixed
 * sizes into the window costs.
 */
const UNIFORM_SLICES = [40_000, 50_000, 30_000];
const TARGET = { ratio: 0.95, redisBytesPerJsonByte: 0.35 };

function dates(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `2022-05-${String(i + 1).padStart(2, '0')}`);
}

function summarize(runs: readonly ThroughputFigures[]) {
  const pick = (f: (r: ThroughputFigures) => number): ReturnType<typeof spread> => spread(runs.map(f));
  return {
    worker: runs[0]?.worker ?? '',
    ratio: pick((r) => r.ratio),
    steadyRatio: pick((r) => r.steadyRatio),
    emulatorRatio: pick((r) => r.emulatorRatio),
    maxRequestsInWindow: pick((r) => r.maxRequestsInWindow),
    maxRecordsInWindow: pick((r) => r.maxRecordsInWindow),
    overCeiling: pick((r) => r.requestsOverCeiling + r.recordsOverCeiling),
    rateLimited: pick((r) => r.rateLimited),
    enqueueToAcceptedP50Ms: pick((r) => r.latencyMs.enqueueToAccepted.p50),
    enqueueToAcceptedP99Ms: pick((r) => r.latencyMs.enqueueToAccepted.p99),
    startToAcceptedP50Ms: pick((r) => r.latencyMs.startToAccepted.p50),
    startToAcceptedP99Ms: pick((r) => r.latencyMs.startToAccepted.p99),
    grantToAnswerMeanMs: pick((r) => r.latencyMs.grantToAnswer.meanMs),
    redisBytesPerJsonByte: pick((r) => r.redisBytesPerJsonByte),
    peakWorkerRssMiB: pick((r) => Math.max(...r.peakWorkerRssMiB)),
    peakRecordsBySend: pick((r) => r.tap?.peakRecordsBySend ?? Number.NaN),
    peakRecordsByArrival: pick((r) => r.tap?.peakRecordsByArrival ?? Number.NaN),
    marginNeededMs: pick((r) => r.tap?.marginNeededMs ?? Number.NaN),
    startToFirstBookedMs: pick((r) => r.tap?.timeline.startToFirstBookedMs ?? Number.NaN),
    bookedSpanMs: pick((r) => r.tap?.timeline.bookedSpanMs ?? Number.NaN),
    lastBookedToFinishMs: pick((r) => r.tap?.timeline.lastBookedToFinishMs ?? Number.NaN),
    othersCores: pick((r) => r.cpuCores.others ?? Number.NaN),
    allCorrect: runs.every((r) => r.correct),
  };
}

/** first job → first booking + booked schedule (longest pause) + last booking → last finish, in ms. */
function timelineText(figures: ThroughputFigures): string {
  const t = figures.tap?.timeline;
  return t === undefined ? '-' : `${t.startToFirstBookedMs} + ${t.bookedSpanMs} (pause ≤${t.longestBookingPauseMs}) + ${t.lastBookedToFinishMs} ms`;
}

export async function runThroughputBench(rawArgs: readonly string[]): Promise<void> {
  const flags = new BenchFlags(rawArgs);
  const runs = flags.count('runs', 3);
  const workers = flags.count('workers', 4);
  const slices = flags.has('uniform-chunks') ? UNIFORM_SLICES : SLICES;
  const specs = batchGrid(TOPICS, 'history_sync', dates(flags.count('dates', 3)), slices);
  const env = flags.env();
  const monitor = flags.text('monitor-emulator', '');
  // The tap costs a diagnostics-channel callback per request; it is what shows whether an
  // excess left the workers or was made by late arrival stamps (see diagnostics/http-tap.ts).
  const tapDir = flags.has('no-tap') ? undefined : mkdtempSync(join(tmpdir(), 'byteair-bench-tap-'));
  const emulatorLimits = !flags.has('no-limits');
  const kinds: WorkerKind[] = [
    { kind: 'sync', roles: 'upload,done,batcher' },
    ...(flags.has('no-baseline') ? [] : flags.counts('baseline-max', [2])).map((max) => ({ kind: 'baseline' as const, max })),
  ];
  const results: ThroughputFigures[][] = kinds.map(() => []);
  for (let run = 0; run < runs; run += 1) {
    // Alternate the order, so a slow patch of the shared VM does not always hit the same side.
    const order = run % 2 === 0 ? kinds.map((_, i) => i) : kinds.map((_, i) => kinds.length - 1 - i);
    for (const i of order) {
      const figures = await runThroughputScenario({
        workers,
        kind: kinds[i] as WorkerKind,
        specs,
        env,
        emulatorLimits,
        timeBoot: flags.has('time-boot'),
        diagnostics: { monitor, tap: tapDir === undefined ? '' : join(tapDir, `r${run}-${i}`) },
      });
      (results[i] as ThroughputFigures[]).push(figures);
      process.stderr.write(
        `  run ${run + 1}/${runs} ${figures.worker}: ratio ${figures.ratio} (steady ${figures.steadyRatio}), window ${figures.maxRequestsInWindow} req / ${figures.maxRecordsInWindow} rec, 429s ${figures.rateLimited}, margin needed ${figures.tap?.marginNeededMs ?? '-'} ms, time ${timelineText(figures)}, correct ${figures.correct}\n`,
      );
    }
  }
  if (tapDir !== undefined && flags.has('keep-tap')) process.stderr.write(`tap files kept in ${tapDir}\n`);
  else if (tapDir !== undefined) rmSync(tapDir, { recursive: true, force: true });
  const [ours, ...baselines] = results.map(summarize);
  const oursRuns = results[0] ?? [];
  const within = oursRuns.every((r) => r.requestsOverCeiling + r.recordsOverCeiling === 0 && r.maxRequestsInWindow <= 100 && r.maxRecordsInWindow <= 50_000);
  const oursRatio = spread(oursRuns.map((r) => r.ratio));
  const memory = spread(oursRuns.map((r) => r.redisBytesPerJsonByte));
  const pass = oursRatio.median >= TARGET.ratio && within && memory.median <= TARGET.redisBytesPerJsonByte && oursRuns.every((r) => r.correct);
  const result = {
    bench: 'throughput',
    machine: describeMachine(),
    workload: {
      records: oursRuns[0]?.records,
      chunks: oursRuns[0]?.chunks,
      jsonBytesPerRecord: oursRuns[0]?.jsonBytesPerRecord,
      batches: specs.length,
      stage: 'history_sync',
      slices,
    },
    workers,
    runs,
    emulatorLimits: emulatorLimits ? 'on' : 'off (control: excesses counted, never refused)',
    timing:
      'job timestamps: first BullMQ processedOn to last finishedOn of the write jobs (the queues are paused while the workers boot and resumed once all are ready, see bootSeconds; with --time-boot they are not); steady = chunks finished after the first and before the last second; emulatorRatio = its accepted-records counter polled every 100 ms',
    target: { ...TARGET, withinCeiling: true },
    ours,
    baselines,
    baselineRatio: baselines.map((b, i) => ({ worker: b.worker, ratioMedian: spread((results[i + 1] ?? []).map((r) => r.ratio)).median })),
    perRun: results,
    pass,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const baseText = result.baselineRatio.map((b) => `${b.worker}: ${b.ratioMedian}`).join(', ');
  process.stderr.write(
    `throughput (median of ${runs}, ${workers} workers, ${oursRuns[0]?.records ?? 0} records): ratio ${oursRatio.median} [${oursRatio.min}-${oursRatio.max}] (steady ${spread(oursRuns.map((r) => r.steadyRatio)).median}) vs baseline ${baseText}; ` +
      `peak window ${spread(oursRuns.map((r) => r.maxRequestsInWindow)).max} req / ${spread(oursRuns.map((r) => r.maxRecordsInWindow)).max} rec (as sent: ${ours?.peakRecordsBySend.max ?? '?'} rec), 429s ${ours?.rateLimited.max ?? '?'}; Redis ${memory.median} B per JSON byte; ` +
      `correct ${oursRuns.every((r) => r.correct)} — target ratio ≥${TARGET.ratio}, within ceiling, ≤${TARGET.redisBytesPerJsonByte} B/B: ${pass ? 'PASS' : 'FAIL'}\n`,
  );
  if (!pass) process.exitCode = 1;
}
