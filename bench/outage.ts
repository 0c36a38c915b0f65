import { join } from 'node:path';
import { diagnosticEnv } from './diagnostics/diagnostic-env.js';
import { analyzeTap } from './diagnostics/tap-analysis.js';
import { cpuShareOf, startBenchSystem } from './harness/bench-system.js';
import { waitForQuiet } from './harness/cpu-usage.js';
import { finishedChunks, jobSpanOf, rateBetween, type JobSpan } from './harness/finished-chunks.js';
import { BenchFlags } from './harness/flags.js';
import { round } from './harness/figures.js';
import { checkLedger } from './harness/ledger-check.js';
import { describeMachine } from './harness/machine.js';
import { produceOffline, type BatchSpec } from './harness/offline-workload.js';
import { expectedStreams, type ProducerReport } from './harness/stream-pushes.js';
import { sleep, waitFor } from './harness/wait.js';
import { warmEmulator } from './harness/warm-emulator.js';

/**
 * `npm run bench -- outage [--outage-seconds 60] [--daily-records 400000] [--producers 2] [--rate 5000] [--workers 4] [--no-limits] [--tap-dir DIR] [--env K=V]...`
 * (outages cost time, not data: after recovery the backlog drains at ≥ 0.95 of the ceiling, nothing lost or doubled)
 *
 * A daily backlog (`item` and `user`, incremental_sync_daily, ~300-byte records) is queued
 * and streaming `behavior` records are pushed at `rate`/s all along. After `--warm-seconds`
 * of uploads the emulator goes down ('refuse': connections refused) for `--outage-seconds`;
 * pushing goes on through it and stops `--tail-seconds` after it. Recovery = the first chunk
 * accepted after the outage; the drain lasts from there to the last chunk accepted (nothing
 * is left then). Drain speed = records of the chunks accepted in that span ÷ its length ÷ the
 * ceiling, from job timestamps; and the ledger: nothing lost, nothing twice, no failed job.
 * With --tap-dir, every request is timed at both ends (diagnostics/http-tap.ts) into that
 * directory, and the result says where the time between booking and the API's stamp went.
 */
const DAILY_TOPICS = ['item', 'user'];
const STREAM_TOPIC = 'behavior';
const TARGET = { drainRatio: 0.95 };

export async function runOutageBench(rawArgs: readonly string[]): Promise<void> {
  const flags = new BenchFlags(rawArgs);
  const outageSeconds = flags.count('outage-seconds', 60);
  const warmSeconds = flags.count('warm-seconds', 5);
  const tailSeconds = flags.count('tail-seconds', 5);
  const dailyRecords = flags.count('daily-records', 400_000);
  const producers = flags.count('producers', 2);
  const rate = flags.count('rate', 5_000);
  const workers = flags.count('workers', 4);
  const tapDir = flags.text('tap-dir', '');
  const tap = tapDir === '' ? '' : join(tapDir, 'outage');
  // Workers and emulator both write their ends of the tap.
  const tapEnv = diagnosticEnv({ monitor: '', tap });
  const system = await startBenchSystem({
    env: { BYTEAIR_STREAMING_ONLY_TOPICS: STREAM_TOPIC, ...flags.env(), ...tapEnv },
    emulatorEnv: tapEnv,
    emulatorArgs: ['--streaming-only-topics', STREAM_TOPIC, ...(flags.has('no-limits') ? ['--no-limits'] : [])],
  });
  let output: object = {};
  let recordsOf: ReadonlyMap<string, number> = new Map();
  let jobSpan: JobSpan = { first: Number.NaN, last: Number.NaN };
  try {
    const { ops, emulator, config } = system;
    const slices = Array.from({ length: Math.ceil(dailyRecords / 50_000) }, (_, i) => Math.min(50_000, dailyRecords - i * 50_000));
    const specs: BatchSpec[] = DAILY_TOPICS.map((topic) => ({ topic, stage: 'incremental_sync_daily', date: '2022-07-01', slices }));
    const daily = await produceOffline(ops.producer, specs);
    await warmEmulator(emulator, config);
    const quiet = await waitForQuiet();
    const running = await system.startWorkers(workers, { kind: 'sync', roles: 'upload,done,batcher' });
    const children = await system.startProducers(
      Array.from({ length: producers }, (_, i) => [
        '--index',
        String(i),
        '--rate',
        String(Math.round(rate / producers)),
        '--seconds',
        String(warmSeconds + outageSeconds + tailSeconds),
        '--topics',
        STREAM_TOPIC,
      ]),
    );
    for (const child of children) child.send('go');
    await sleep(warmSeconds * 1000);
    const acceptedBefore = (await emulator.stats()).totals.acceptedRecords;
    const outageStart = Date.now();
    await emulator.outage(outageSeconds, 'refuse');
    const outageEnd = outageStart + outageSeconds * 1000;
    await sleep(Math.max(0, outageEnd - Date.now()));
    const circuitOpened = (await ops.operations.status()).circuit.openedAt >= outageStart;
    await Promise.all(children.map(async (child) => await child.exited));
    const cpu = cpuShareOf(system, { worker: running });
    cpu.start();
    const reports = children.map((child) => child.lines[0] as ProducerReport);
    const pushed = reports.reduce((sum, r) => sum + (r.pushed[STREAM_TOPIC] ?? 0), 0);
    await waitFor(
      async () => {
        const [batches, stats] = await Promise.all([ops.producer.batches(), emulator.stats()]);
        const dailyDone = batches.filter((b) => b.state === 'done-acked').length === specs.length;
        return dailyDone && (stats.topics[STREAM_TOPIC]?.acceptedRecords ?? 0) >= pushed ? true : undefined;
      },
      'the backlog to drain',
      600_000,
      250,
    );
    const cpuCores = cpu.stop();
    const peakRss = running.map((w) => w.peakRssBytes() ?? Number.NaN);
    const stats = await emulator.stats();
    const status = await ops.operations.status();
    const chunks = await finishedChunks(ops.queues.upload);
    const recovered = Math.min(...chunks.filter((c) => c.finishedAt > outageStart + 100).map((c) => c.finishedAt));
    const drained = Math.max(...chunks.map((c) => c.finishedAt));
    const ceiling = config.limits.maxRecordsPerSecond;
    const drain = rateBetween(chunks, recovered, drained);
    const steady = rateBetween(chunks, recovered + 1_000, drained - 1_000);
    const ledger = await checkLedger(emulator, [...daily.expected, ...expectedStreams(reports)]);
    const failedJobs = (await ops.queues.upload.getFailedCount()) + (await ops.queues.done.getFailedCount());
    const correct = ledger.exact && failedJobs === 0 && status.circuit.state === 'closed';
    const drainRatio = round(drain.recordsPerSecond / ceiling);
    const pass = correct && drainRatio >= TARGET.drainRatio;
    // Per second of the drain, records accepted by stage and the chunks that carried them:
    // shows whether a slow drain is paced by the limiter (a flat line near the ceiling) or by
    // something else (gaps, small chunks, a slow start).
    const timeline = Array.from({ length: Math.ceil((drained - recovered) / 1000) + 1 }, (_, second) => {
      const inSecond = chunks.filter((c) => c.finishedAt >= recovered + second * 1000 && c.finishedAt < recovered + (second + 1) * 1000);
      const recordsOf = (stage: string): number => inSecond.filter((c) => c.stage === stage).reduce((sum, c) => sum + c.records, 0);
      return { second, daily: recordsOf('incremental_sync_daily'), streaming: recordsOf('incremental_sync_streaming'), chunks: inSecond.length };
    });
    recordsOf = new Map(chunks.map((c) => [c.requestId, c.records]));
    jobSpan = jobSpanOf(chunks);
    const result = {
      bench: 'outage',
      machine: describeMachine(),
      emulatorLimits: flags.has('no-limits') ? 'off (control: excesses counted, never refused)' : 'on',
      workers,
      outageSeconds,
      outageMode: 'refuse',
      dailyRecords: daily.records,
      streamed: pushed,
      acceptedBeforeOutage: acceptedBefore,
      timing: 'job timestamps (finishedOn); recovery = first chunk accepted after the outage; drain end = last chunk accepted',
      recoveryLagMs: recovered - outageEnd,
      drain: { records: drain.records, seconds: round(drain.seconds, 1), ratio: drainRatio, steadyRatio: round(steady.recordsPerSecond / ceiling) },
      drainTimeline: timeline.map((t) => `${t.second}s ${t.daily}d+${t.streaming}s/${t.chunks}c`),
      circuitOpened,
      windows: stats.windows,
      rateLimited: stats.totals.rateLimited,
      lost: ledger.lost,
      duplicated: ledger.duplicated,
      ledger,
      failedJobs,
      quiet,
      cpuCoresAfterPushing: cpuCores,
      circuitAtEnd: status.circuit.state,
      peakWorkerRssMiB: peakRss.map((b) => round(b / 2 ** 20, 1)),
      target: TARGET,
      pass,
    };
    process.stderr.write(
      `outage (${outageSeconds} s, ${workers} workers, ${daily.records} daily + ${pushed} streamed records): recovered ${result.recoveryLagMs} ms after the outage, drained ${drain.records} records in ${result.drain.seconds} s = ${drainRatio} of the ceiling (steady ${result.drain.steadyRatio}); ` +
        `lost ${ledger.lost}, duplicated ${ledger.duplicated}, failed jobs ${failedJobs}, 429s ${result.rateLimited} — target drain ≥${TARGET.drainRatio}, 0/0/0: ${pass ? 'PASS' : 'FAIL'}\n`,
    );
    if (!pass) process.exitCode = 1;
    output = result;
  } finally {
    await system.stop();
  }
  // The tap files are written as each process exits.
  process.stdout.write(`${JSON.stringify({ ...output, tap: tap === '' ? undefined : analyzeTap(tap, recordsOf, jobSpan) }, null, 2)}\n`);
}
