import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cpuShareOf, startBenchSystem, usedMemory } from './harness/bench-system.js';
import { spawnBenchChild } from './harness/child-process.js';
import { memoryOf } from './harness/process-memory.js';
import { waitForQuiet } from './harness/cpu-usage.js';
import { maximum, round, spread } from './harness/figures.js';
import { BenchFlags } from './harness/flags.js';
import { describeMachine } from './harness/machine.js';
import { makeRecord, prng, recordId } from './harness/records.js';
import { sleep } from './harness/wait.js';

/**
 * `npm run bench -- import [--records 10000000] [--runs 3] [--env K=V]...`
 *
 * A history file of `--records` ~300-byte JSON records (bench/harness/records.ts: varied
 * text, so gzip does what it does on real catalogue data) is written as .jsonl into a temp
 * dir, then imported `--runs` times, each into a fresh private Redis (AOF everysec, as
 * deployed) with no workers running, by `byteair-sync import` itself as a child process: the
 * very command users run (src/cli/commands/import.ts → src/import/import-file.ts), so its
 * startup, reader, chunker, gzip and Redis writes are all in the figures. The file is
 * deleted at the end, whatever happens.
 *
 * Figures per run:
 * - producer peak RSS: the child's VmHWM from /proc/<pid>/status (the kernel's own
 *   high-water mark, so no sampling gap can miss a spike), read every 100 ms until it exits;
 *   plus its largest VmRSS in the first and the second half of the run, which would differ
 *   if memory grew with the input instead of staying constant;
 * - Redis memory per queued record: INFO used_memory after the import (1.5 s later, so the
 *   AOF buffer is not counted) minus before, ÷ records; also ÷ the raw JSON bytes;
 * - import rate: records ÷ seconds from spawning the command to its exit (Node start-up and
 *   connecting included, as a user would time it).
 * Checked: exit code 0, and the batch in Redis holds every record, in as many chunks as the
 * upload queue holds waiting jobs.
 */
const TOPIC = 'item';
const STAGE = 'history_sync';
const DATE = '2022-05-01';
const TARGET = { peakRssMiB: 200 };
const MiB = 2 ** 20;

interface ImportRun {
  readonly exitCode: number | null;
  readonly records: number;
  readonly chunks: number;
  /** Upload jobs waiting in the queue: one per chunk. */
  readonly queuedJobs: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly peakRssMiB: number;
  /** Largest VmRSS seen in the first and in the second half of the import. */
  readonly rssFirstHalfMiB: number;
  readonly rssSecondHalfMiB: number;
  readonly redisBytesPerRecord: number;
  readonly redisBytesPerJsonByte: number;
  readonly redisUsedMemoryMiB: number;
  /** Cores used while the import ran (importer, Redis, the rest of the VM). */
  readonly cpuCores: Readonly<Record<string, number>>;
  readonly quiet: { readonly waitedMs: number; readonly busyCores: number };
  readonly correct: boolean;
  /** The last lines the command wrote to stderr (progress, or why it failed). */
  readonly logTail: string;
}

/** Writes `count` records as JSON Lines; returns the raw JSON bytes (newlines not counted). */
async function writeHistoryFile(path: string, count: number): Promise<number> {
  const out = createWriteStream(path);
  const random = prng(7);
  let jsonBytes = 0;
  let buffer: string[] = [];
  let buffered = 0;
  for (let n = 0; n < count; n += 1) {
    const line = JSON.stringify(makeRecord(TOPIC, recordId('import', n), random));
    jsonBytes += Buffer.byteLength(line);
    buffer.push(line);
    buffered += line.length;
    // Written in ~1 MB pieces, waiting for the disk when it is behind: the generator itself
    // must not hold gigabytes, or the machine's memory would disturb the measured import.
    if (buffered >= 1_000_000 || n === count - 1) {
      if (!out.write(`${buffer.join('\n')}\n`)) await once(out, 'drain');
      buffer = [];
      buffered = 0;
    }
  }
  out.end();
  await once(out, 'finish');
  return jsonBytes;
}

async function importOnce(file: string, records: number, jsonBytes: number, env: Readonly<Record<string, string>>): Promise<ImportRun> {
  const system = await startBenchSystem({ env });
  try {
    const before = await usedMemory(system.client);
    const quiet = await waitForQuiet();
    const startedAt = Date.now();
    const child = spawnBenchChild([CLI, 'import', '--topic', TOPIC, '--stage', STAGE, '--date', DATE, '--file', file, '--progress-every', '10'], system.env);
    const cpu = cpuShareOf(system, { importer: [child] });
    cpu.start();
    // Read while the importer lives: once it has exited, /proc has no CPU figures for it.
    let cpuCores: Record<string, number> = {};
    const samples: Array<{ at: number; hwm: number; rss: number }> = [];
    const finished = child.exited.then((code) => ({ code }));
    let exitCode: number | null;
    for (;;) {
      const memory = memoryOf(child.pid);
      if (memory !== undefined) {
        samples.push({ at: Date.now(), ...memory });
        cpuCores = cpu.stop();
      }
      const outcome = await Promise.race([finished, sleep(100).then(() => undefined)]);
      if (outcome !== undefined) {
        exitCode = outcome.code;
        break;
      }
    }
    const seconds = (Date.now() - startedAt) / 1000;
    await sleep(1_500); // let the AOF buffer flush, so it is not counted as data
    const after = await usedMemory(system.client);
    const batch = (await system.ops.producer.batches()).find((b) => b.topic === TOPIC && b.stage === STAGE && b.date === DATE);
    // Write jobs carry a BullMQ priority (streaming first, history late), so they wait as 'prioritized'.
    const counts = await system.ops.queues.upload.getJobCounts('waiting', 'prioritized');
    const queuedJobs = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    const middle = startedAt + (seconds * 1000) / 2;
    const largest = (list: ReadonlyArray<{ rss: number }>): number => round(maximum(list.map((s) => s.rss)) / MiB, 1);
    const imported = batch?.records ?? 0;
    return {
      exitCode,
      records: imported,
      chunks: batch?.chunks ?? 0,
      queuedJobs,
      seconds: round(seconds, 1),
      recordsPerSecond: Math.round(imported / seconds),
      peakRssMiB: round(maximum(samples.map((s) => s.hwm)) / MiB, 1),
      rssFirstHalfMiB: largest(samples.filter((s) => s.at < middle)),
      rssSecondHalfMiB: largest(samples.filter((s) => s.at >= middle)),
      redisBytesPerRecord: round((after - before) / imported, 1),
      redisBytesPerJsonByte: round((after - before) / jsonBytes),
      redisUsedMemoryMiB: round(after / MiB, 1),
      cpuCores,
      quiet,
      correct: exitCode === 0 && imported === records && batch?.chunks === queuedJobs,
      logTail: child.log().trim().split('\n').slice(-3).join('\n'),
    };
  } finally {
    await system.stop();
  }
}

export async function runImportBench(rawArgs: readonly string[]): Promise<void> {
  const flags = new BenchFlags(rawArgs);
  const records = flags.count('records', 10_000_000);
  const runs = flags.count('runs', 3);
  // e.g. --env NODE_OPTIONS=--max-old-space-size=128, to see how much of the RSS is garbage.
  const env = flags.env();
  const machine = describeMachine();
  const dir = mkdtempSync(join(tmpdir(), 'byteair-bench-import-'));
  try {
    const file = join(dir, 'history.jsonl');
    const generatedAt = Date.now();
    const jsonBytes = await writeHistoryFile(file, records);
    const fileBytes = statSync(file).size;
    process.stderr.write(`  wrote ${records} records, ${round(fileBytes / MiB, 1)} MiB, in ${round((Date.now() - generatedAt) / 1000, 1)} s\n`);
    const perRun: ImportRun[] = [];
    for (let run = 0; run < runs; run += 1) {
      const figures = await importOnce(file, records, jsonBytes, env);
      perRun.push(figures);
      process.stderr.write(
        `  run ${run + 1}/${runs}: ${figures.recordsPerSecond} rec/s, peak RSS ${figures.peakRssMiB} MiB (largest RSS 1st/2nd half ${figures.rssFirstHalfMiB}/${figures.rssSecondHalfMiB}), Redis ${figures.redisBytesPerRecord} B/record, correct ${figures.correct}\n`,
      );
    }
    const pick = (f: (r: ImportRun) => number): ReturnType<typeof spread> => spread(perRun.map(f));
    const peakRss = pick((r) => r.peakRssMiB);
    const rate = pick((r) => r.recordsPerSecond);
    const perRecord = pick((r) => r.redisBytesPerRecord);
    const correct = perRun.every((r) => r.correct);
    // Every run must stay under the cap: it is a memory bound, not an average.
    const pass = correct && peakRss.max < TARGET.peakRssMiB;
    const result = {
      bench: 'import',
      machine,
      command: `byteair-sync import --topic ${TOPIC} --stage ${STAGE} --date ${DATE} --file <temp>/history.jsonl --progress-every 10`,
      workload: { records, fileBytes, jsonBytesPerRecord: round(jsonBytes / records, 1), workers: 0, redis: 'private, AOF everysec' },
      env,
      runs,
      timing: 'spawn of the command to its exit; peak RSS = VmHWM of the command process',
      summary: {
        peakRssMiB: peakRss,
        rssFirstHalfMiB: pick((r) => r.rssFirstHalfMiB),
        rssSecondHalfMiB: pick((r) => r.rssSecondHalfMiB),
        recordsPerSecond: rate,
        seconds: pick((r) => r.seconds),
        redisBytesPerRecord: perRecord,
        redisBytesPerJsonByte: pick((r) => r.redisBytesPerJsonByte),
        importerCores: pick((r) => r.cpuCores.importer1 ?? Number.NaN),
        redisCores: pick((r) => r.cpuCores.redis ?? Number.NaN),
        othersCores: pick((r) => r.cpuCores.others ?? Number.NaN),
        allCorrect: correct,
      },
      target: TARGET,
      perRun,
      pass,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(
      `import (median of ${runs}, ${records} records, ${round(fileBytes / MiB)} MiB): ${rate.median} rec/s [${rate.min}-${rate.max}], producer peak RSS ${peakRss.median} MiB [${peakRss.min}-${peakRss.max}], ` +
        `Redis ${perRecord.median} B per queued record [${perRecord.min}-${perRecord.max}]; correct ${correct} — target peak RSS <${TARGET.peakRssMiB} MiB: ${pass ? 'PASS' : 'FAIL'}\n`,
    );
    if (!pass) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
