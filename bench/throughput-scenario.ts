import { writeFileSync } from 'node:fs';
import { diagnosticEnv, type DiagnosticOutputs } from './diagnostics/diagnostic-env.js';
import { analyzeTap, type TapVerdict } from './diagnostics/tap-analysis.js';
import { grantToAnswer, type GrantToAnswer } from './harness/api-latency.js';
import { AcceptedSamples } from './harness/accepted-samples.js';
import { warmEmulator } from './harness/warm-emulator.js';
import { cpuShareOf, startBenchSystem, usedMemory, type WorkerKind } from './harness/bench-system.js';
import { BookingLog } from './harness/booking-log.js';
import { waitForQuiet } from './harness/cpu-usage.js';
import { finishedChunks, jobSpanOf, rateBetween, type JobSpan } from './harness/finished-chunks.js';
import { percentile, round } from './harness/figures.js';
import { checkLedger, type LedgerVerdict } from './harness/ledger-check.js';
import { produceOffline, type BatchSpec } from './harness/offline-workload.js';
import { sleep, waitFor } from './harness/wait.js';

export interface ThroughputScenario {
  readonly workers: number;
  readonly kind: WorkerKind;
  readonly specs: readonly BatchSpec[];
  readonly env: Readonly<Record<string, string>>;
  /** False: the emulator never answers 429 (a control run; excesses are still counted). */
  readonly emulatorLimits: boolean;
  /** Diagnostics preloaded into the children (bench/diagnostics); '' = off. */
  readonly diagnostics: DiagnosticOutputs;
  /** True: the workers take jobs as soon as each is up, so their boot is timed too (as before 2b0ff4f). */
  readonly timeBoot: boolean;
  /** More `byteair-sync emulator` flags (the network model: --in-delay-ms ...). */
  readonly emulatorArgs?: readonly string[];
}

export interface ThroughputFigures {
  readonly worker: string;
  readonly records: number;
  readonly chunks: number;
  /** records/s ÷ ceiling, first job start → last job finish (BullMQ processedOn/finishedOn). */
  readonly ratio: number;
  /** The same, only chunks accepted after the first and before the last second. */
  readonly steadyRatio: number;
  /** The emulator's accepted-records counter, polled every 100 ms, first → last acceptance. */
  readonly emulatorRatio: number;
  /** The emulator's accepted-records counter over its best 10 s, ÷ ceiling. */
  readonly best10sRatio: number;
  /** First write job start to the last Done acknowledged (s). */
  readonly fileToDoneSeconds: number;
  readonly seconds: number;
  readonly maxRequestsInWindow: number;
  readonly maxRecordsInWindow: number;
  readonly requestsOverCeiling: number;
  readonly recordsOverCeiling: number;
  readonly rateLimited: number;
  readonly latencyMs: {
    readonly enqueueToAccepted: { readonly p50: number; readonly p99: number };
    readonly startToAccepted: { readonly p50: number; readonly p99: number };
    readonly grantToAnswer: GrantToAnswer;
  };
  /** Redis used_memory growth while the queue was filled, ÷ raw JSON bytes queued. */
  readonly redisBytesPerJsonByte: number;
  readonly redisBytesPerRecord: number;
  readonly jsonBytesPerRecord: number;
  readonly fillSeconds: number;
  /** From spawning the worker processes to every one of them ready (queues paused meanwhile, unless --time-boot). */
  readonly bootSeconds: number;
  readonly peakWorkerRssMiB: readonly number[];
  /** Round trips of the 100 ms stats polls: the emulator main thread's responsiveness. */
  readonly emulatorPollMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** With --tap: where the time between a worker's send and the emulator's stamp went. */
  readonly tap: TapVerdict | undefined;
  /** How long the run waited for the shared VM to calm down, and how busy it was then (cores). */
  readonly quiet: { readonly waitedMs: number; readonly busyCores: number };
  /** Cores each process used while the workers ran (2 = the whole VM); `others` = everyone else's. */
  readonly cpuCores: Readonly<Record<string, number>>;
  /** Heaviest sliding windows of the limiter's own booked schedule (ours only): 1000 ms as the API counts, and the limiter's 1025 ms. */
  readonly bookedPeak:
    | {
        readonly in1000ms: { requests: number; records: number };
        readonly in1025ms: { requests: number; records: number };
        readonly used: number;
        readonly seen: number;
      }
    | undefined;
  readonly ledger: LedgerVerdict;
  readonly donesAcked: number;
  readonly failedJobs: number;
  readonly correct: boolean;
}

function kindLabel(kind: WorkerKind): string {
  return kind.kind === 'sync' ? 'byteair-sync limiter' : `BullMQ limiter max=${kind.max}/1000ms`;
}

/**
 * One run of one worker kind on a fresh system: fill the queue with every chunk (measuring
 * Redis memory), start the workers with the queues paused and resume once all are ready, wait
 * until every batch's Done is acknowledged, then read the emulator, the ledger and the
 * completed jobs.
 */
export async function runThroughputScenario(s: ThroughputScenario): Promise<ThroughputFigures> {
  const { recordsOf, jobSpan, ...figures } = await measure(s);
  // The tap files are written as each process exits, the emulator's last.
  return { ...figures, tap: s.diagnostics.tap === '' ? undefined : analyzeTap(s.diagnostics.tap, recordsOf, jobSpan) };
}

async function measure(s: ThroughputScenario): Promise<ThroughputFigures & { recordsOf: ReadonlyMap<string, number>; jobSpan: JobSpan }> {
  const tap = s.diagnostics.tap;
  const system = await startBenchSystem({
    env: { ...s.env, ...diagnosticEnv({ monitor: '', tap }) },
    emulatorEnv: diagnosticEnv(s.diagnostics),
    emulatorArgs: [...(s.emulatorLimits ? [] : ['--no-limits']), ...(s.emulatorArgs ?? [])],
  });
  try {
    const { ops, emulator, config } = system;
    const before = await usedMemory(system.client);
    const produced = await produceOffline(ops.producer, s.specs);
    await sleep(1_500); // let the AOF buffer flush, so it is not counted as data
    const after = await usedMemory(system.client);

    await warmEmulator(emulator, config);
    const quiet = await waitForQuiet();
    const samples = new AcceptedSamples(emulator);
    samples.start();
    const bookings = new BookingLog(system.client, ops.keys);
    bookings.start();
    // The fleet is up before the clock starts, as in production, where workers run long before a
    // backlog arrives: the queues are paused (the operator's pause) while the worker processes
    // boot, so four Node processes loading their modules on two cores are not what is timed.
    // Their boot is reported on its own (bootSeconds).
    if (!s.timeBoot) await ops.operations.pause();
    const booting = Date.now();
    const workers = await system.startWorkers(s.workers, s.kind);
    const bootSeconds = (Date.now() - booting) / 1000;
    if (!s.timeBoot) await ops.operations.resume();
    const cpu = cpuShareOf(system, { worker: workers });
    cpu.start();
    // Generous: a tenth of the ceiling, plus two minutes; a stuck run still ends.
    const timeoutMs = 120_000 + (produced.records / (config.limits.maxRecordsPerSecond * 0.1)) * 1_000;
    await waitFor(
      async () => {
        const batches = await ops.producer.batches();
        return batches.length === s.specs.length && batches.every((b) => b.state === 'done-acked') ? true : undefined;
      },
      `every batch to be acknowledged (${kindLabel(s.kind)})`,
      timeoutMs,
      250,
    );
    samples.stop();
    bookings.stop();
    // Diagnostics: the schedule the limiter kept, to replay or plot (start, records per booking).
    const bookingsOut = process.env.BENCH_BOOKINGS_OUT;
    if (bookingsOut !== undefined && bookingsOut !== '') writeFileSync(`${bookingsOut}-${kindLabel(s.kind)}.json`, JSON.stringify(bookings.used()));
    const cpuCores = cpu.stop();
    const peakRss = workers.map((w) => w.peakRssBytes() ?? Number.NaN);
    await Promise.all(workers.map(async (w) => await w.stop()));

    const stats = await emulator.stats();
    const chunks = await finishedChunks(ops.queues.upload);
    const jobSpan = jobSpanOf(chunks);
    const { first, last } = jobSpan;
    const records = chunks.reduce((sum, c) => sum + c.records, 0);
    const ceiling = config.limits.maxRecordsPerSecond;
    const ledger = await checkLedger(emulator, produced.expected);
    const failedJobs = (await ops.queues.upload.getFailedCount()) + (await ops.queues.done.getFailedCount());
    const doneJobs = await ops.queues.done.getJobs(['completed'], 0, -1, true);
    const lastDone = Math.max(...doneJobs.map((job) => job.finishedOn ?? 0));
    const donesAcked = stats.dates.filter((d) => d.state === 'acked').length;
    const lat = (pick: (c: (typeof chunks)[number]) => number): { p50: number; p99: number } => ({
      p50: percentile(chunks.map(pick), 50),
      p99: percentile(chunks.map(pick), 99),
    });
    return {
      worker: kindLabel(s.kind),
      records,
      chunks: chunks.length,
      ratio: round(records / ((last - first) / 1000) / ceiling),
      steadyRatio: round(rateBetween(chunks, first + 1_000, last - 1_000).recordsPerSecond / ceiling),
      emulatorRatio: round(samples.rate(produced.records) / ceiling),
      best10sRatio: round(samples.bestRate(10_000) / ceiling),
      fileToDoneSeconds: round((lastDone - first) / 1000, 1),
      seconds: round((last - first) / 1000, 1),
      maxRequestsInWindow: stats.windows.maxRequestsInWindow,
      maxRecordsInWindow: stats.windows.maxRecordsInWindow,
      requestsOverCeiling: stats.windows.requestsOverCeiling,
      recordsOverCeiling: stats.windows.recordsOverCeiling,
      rateLimited: stats.totals.rateLimited,
      latencyMs: {
        enqueueToAccepted: lat((c) => c.finishedAt - c.addedAt),
        startToAccepted: lat((c) => c.finishedAt - c.startedAt),
        grantToAnswer: await grantToAnswer(system.client, ops.keys),
      },
      redisBytesPerJsonByte: round((after - before) / produced.jsonBytes),
      redisBytesPerRecord: round((after - before) / produced.records, 1),
      jsonBytesPerRecord: round(produced.jsonBytes / produced.records, 1),
      fillSeconds: round(produced.seconds, 1),
      bootSeconds: round(bootSeconds, 2),
      peakWorkerRssMiB: peakRss.map((b) => round(b / 2 ** 20, 1)),
      cpuCores,
      quiet,
      tap: undefined,
      recordsOf: new Map(chunks.map((c) => [c.requestId, c.records])),
      jobSpan,
      emulatorPollMs: {
        p50: round(percentile(samples.roundTripsMs, 50), 1),
        p99: round(percentile(samples.roundTripsMs, 99), 1),
        max: round(Math.max(...samples.roundTripsMs), 1),
      },
      bookedPeak:
        bookings.seen === 0 ? undefined : { in1000ms: bookings.peak(1_000), in1025ms: bookings.peak(1_025), used: bookings.used().length, seen: bookings.seen },
      ledger,
      donesAcked,
      failedJobs,
      correct: ledger.exact && records === produced.records && donesAcked === s.specs.length && failedJobs === 0,
    };
  } finally {
    await system.stop();
  }
}
