import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeWriteResponse } from 'byteair-sync/internal/src/byteair/messages.js';
import { buildRequest } from 'byteair-sync/internal/src/byteair/request-builder.js';
import { cpuSeconds } from './harness/cpu-usage.js';
import { median } from './harness/figures.js';

/**
 * `npm run bench -- emulator [--runs 3] [--seconds 5] [--chunks 500,10000] [--concurrency 8] [--emulator-cpus 1]`
 *
 * Sustained throughput of the emulator on one core: it runs as the real CLI in a child
 * process pinned to one CPU (taskset), this process (the load generator) on another. Each
 * run sends gzip JSON writes of ~300-byte records, signed per request like the SDKs, with
 * unique Request-Ids, for `seconds` after a 1 s warm-up; the medians of the runs are reported.
 * The emulator sizes its body thread pool to the CPUs it may use, so pinned to one core it
 * runs one body thread beside its main thread; `--emulator-cpus 0,1` (a taskset list) or
 * `all` (unpinned) lets it use more.
 */

const CREDENTIALS = { tenantId: '1000001', applicationId: '2000001', ak: 'AKLT-bench', sk: 'bench-secret' };
const TARGET = { requestsPerSecond: 120, recordsPerSecond: 60_000 };
const WARMUP_MS = 1000;
/** Distinct records per scenario; bodies are reused under new Request-Ids beyond that. */
const UNIQUE_RECORDS = 100_000;

interface Args {
  readonly runs: number;
  readonly seconds: number;
  readonly chunks: readonly number[];
  readonly concurrency: number;
  /** taskset CPU list for the emulator, or 'all' to leave it unpinned. */
  readonly emulatorCpus: string;
}

function parseArgs(args: readonly string[]): Args {
  const value = (name: string, fallback: string): string => {
    const at = args.indexOf(`--${name}`);
    return at === -1 ? fallback : (args[at + 1] ?? fallback);
  };
  const positive = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1 (got ${text})`);
    return n;
  };
  return {
    runs: positive('runs', value('runs', '3')),
    seconds: positive('seconds', value('seconds', '5')),
    chunks: value('chunks', '500,10000')
      .split(',')
      .map((c) => positive('chunks', c)),
    concurrency: positive('concurrency', value('concurrency', '8')),
    emulatorCpus: cpuList(value('emulator-cpus', '1')),
  };
}

function cpuList(text: string): string {
  if (text !== 'all' && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text))
    throw new Error(`--emulator-cpus must be a taskset CPU list such as 1 or 0,1, or all (got ${text})`);
  return text;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run sends the same data. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'sho', 'ta', 'vu', 'zen', 'pi', 'dra', 'qu', 'fel', 'no', 'ar', 'ix', 'ope'];

function word(random: () => number): string {
  const n = 2 + Math.floor(random() * 3);
  let w = '';
  for (let i = 0; i < n; i += 1) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)] ?? 'a';
  return w;
}

function words(random: () => number, count: number): string {
  return Array.from({ length: count }, () => word(random)).join(' ');
}

/** An item record of about 300 bytes of JSON. */
function record(random: () => number, id: string): Record<string, unknown> {
  return {
    id,
    title: words(random, 5),
    brand: word(random),
    category: `${word(random)}/${word(random)}`,
    price: Math.round(random() * 100_000) / 100,
    status: 1,
    pub_time: 1_640_000_000 + Math.floor(random() * 1_000_000),
    tags: [word(random), word(random), word(random)],
    description: words(random, 11),
  };
}

interface Pool {
  readonly bodies: readonly Buffer[];
  readonly recordBytes: number;
}

function buildPool(chunk: number): Pool {
  const random = prng(chunk);
  const count = Math.max(2, Math.ceil(UNIQUE_RECORDS / chunk));
  let jsonBytes = 0;
  const bodies = Array.from({ length: count }, (_, b) => {
    const json = JSON.stringify(Array.from({ length: chunk }, (_, i) => record(random, `bench-${chunk}-${b}-${i}`)));
    jsonBytes += json.length;
    return gzipSync(json);
  });
  return { bodies, recordBytes: Math.round(jsonBytes / (count * chunk)) };
}

/** The emulator's CPU seconds so far, or undefined when it has no pid or is gone. */
function emulatorCpuSeconds(pid: number | undefined): number | undefined {
  const seconds = pid === undefined ? Number.NaN : cpuSeconds(pid);
  return Number.isNaN(seconds) ? undefined : seconds;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['--version']).status === 0 && cpus().length >= 2;
}

const BODY_THREADS_LOG = 'request bodies judged';

/** Starts the CLI; `bodyThreads` resolves from its start-up log line (then the log is dropped). */
async function startEmulatorProcess(cpus: string | undefined): Promise<{ child: ChildProcess; url: string; bodyThreads: Promise<number | undefined> }> {
  const cli = fileURLToPath(new URL('../../packages/byteair-sync/dist/src/cli/main.js', import.meta.url));
  const flags = [
    'emulator',
    '--port=0',
    '--no-limits',
    '--log-level=info',
    `--tenant-id=${CREDENTIALS.tenantId}`,
    `--application-id=${CREDENTIALS.applicationId}`,
    `--ak=${CREDENTIALS.ak}`,
    `--sk=${CREDENTIALS.sk}`,
  ];
  // Credentials come from flags; keep the caller's BYTEAIR_* settings out of the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BYTEAIR_')));
  const child =
    cpus !== undefined
      ? spawn('taskset', ['-c', cpus, process.execPath, cli, ...flags], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [cli, ...flags], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createInterface({ input: child.stderr as NodeJS.ReadableStream });
  const bodyThreads = new Promise<number | undefined>((resolve) => {
    log.on('line', (line) => {
      if (line.includes(BODY_THREADS_LOG)) resolve((JSON.parse(line) as { bodyThreads?: number }).bodyThreads);
    });
    log.once('close', () => resolve(undefined));
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [first] = (await once(lines, 'line')) as [string];
  lines.close();
  const started = JSON.parse(first) as { url: string };
  return { child, url: started.url, bodyThreads };
}

interface RunResult {
  readonly requestsPerSecond: number;
  readonly recordsPerSecond: number;
  readonly failed: number;
  /** Share of one core the emulator process used during the measured seconds. */
  readonly emulatorCpu: number | undefined;
}

function post(agent: Agent, url: URL, path: string, headers: ReadonlyArray<readonly [string, string]>, body: Buffer): Promise<number> {
  const flat: string[] = [];
  for (const [name, value] of headers) flat.push(name, value);
  flat.push('Content-Length', String(body.length));
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path, headers: flat, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        const raw = Buffer.concat(chunks);
        if (res.statusCode !== 200) return resolve(-(res.statusCode ?? 0));
        const plain = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve(decodeWriteResponse(plain).status.code);
      });
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

async function runOnce(url: URL, pid: number | undefined, pool: Pool, chunk: number, args: Args, runIndex: number): Promise<RunResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency });
  const measureFrom = performance.now() + WARMUP_MS;
  const measureTo = measureFrom + args.seconds * 1000;
  let next = 0;
  let completed = 0;
  let failed = 0;
  // CPU is sampled at the edges of the measured seconds, not when the last answers trickle in.
  let cpuAtStart: number | undefined;
  let cpuAtEnd: number | undefined;
  const timers = [
    setTimeout(() => (cpuAtStart = emulatorCpuSeconds(pid)), WARMUP_MS),
    setTimeout(() => (cpuAtEnd = emulatorCpuSeconds(pid)), WARMUP_MS + args.seconds * 1000),
  ];
  const worker = async (): Promise<void> => {
    while (performance.now() < measureTo) {
      const index = next;
      next += 1;
      const body = pool.bodies[index % pool.bodies.length] as Buffer;
      const built = buildRequest({
        call: { kind: 'write', topic: 'item', stage: 'incremental_sync_streaming', date: undefined, requestId: `bench-${chunk}-${runIndex}-${index}`, body },
        scheme: 'http',
        host: url.host,
        tenantId: CREDENTIALS.tenantId,
        applicationId: CREDENTIALS.applicationId,
        credentials: { kind: 'volc', ak: CREDENTIALS.ak, sk: CREDENTIALS.sk },
        now: Date.now(),
        nonce: 'bench000',
      });
      const code = await post(agent, url, built.pathWithQuery, built.headers, built.body);
      const at = performance.now();
      if (at < measureFrom || at > measureTo) continue;
      if (code === 0) completed += 1;
      else failed += 1;
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, () => worker()));
  for (const timer of timers) clearTimeout(timer);
  agent.destroy();
  return {
    requestsPerSecond: completed / args.seconds,
    recordsPerSecond: (completed * chunk) / args.seconds,
    failed,
    emulatorCpu: cpuAtStart === undefined || cpuAtEnd === undefined ? undefined : Math.round(((cpuAtEnd - cpuAtStart) / args.seconds) * 100) / 100,
  };
}

async function adminReset(url: URL): Promise<void> {
  const agent = new Agent();
  try {
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/__emulator/reset', agent }, (res) => {
        res.resume();
        res.once('end', resolve);
      });
      req.once('error', reject);
      req.end();
    });
  } finally {
    agent.destroy();
  }
}

export async function runEmulatorBench(rawArgs: readonly string[]): Promise<void> {
  const args = parseArgs(rawArgs);
  const pin = hasTaskset();
  // This process generates load on CPU 0; the emulator gets CPU 1 to itself (by default).
  if (pin) spawnSync('taskset', ['-a', '-cp', '0', String(process.pid)]);
  const emulatorCpus = pin && args.emulatorCpus !== 'all' ? args.emulatorCpus : undefined;
  const { child, url, bodyThreads } = await startEmulatorProcess(emulatorCpus);
  const base = new URL(url);
  const scenarios = [];
  try {
    for (const chunk of args.chunks) {
      const pool = buildPool(chunk);
      const runs: RunResult[] = [];
      for (let i = 0; i < args.runs; i += 1) {
        await adminReset(base);
        runs.push(await runOnce(base, child.pid, pool, chunk, args, i));
      }
      scenarios.push({
        chunk,
        recordBytes: pool.recordBytes,
        gzipBytesPerRequest: Math.round(pool.bodies.reduce((s, b) => s + b.length, 0) / pool.bodies.length),
        runs,
        median: {
          requestsPerSecond: Math.round(median(runs.map((r) => r.requestsPerSecond))),
          recordsPerSecond: Math.round(median(runs.map((r) => r.recordsPerSecond))),
        },
      });
    }
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  const smallest = scenarios.reduce((a, b) => (a.chunk <= b.chunk ? a : b));
  const pass = smallest.median.requestsPerSecond >= TARGET.requestsPerSecond && scenarios.every((s) => s.median.recordsPerSecond >= TARGET.recordsPerSecond);
  const threads = await bodyThreads;
  const result = {
    bench: 'emulator',
    node: process.version,
    pinnedToOneCore: pin && args.emulatorCpus === '1',
    emulatorCpus: emulatorCpus ?? 'all',
    bodyThreads: threads,
    seconds: args.seconds,
    runsPerScenario: args.runs,
    concurrency: args.concurrency,
    target: TARGET,
    scenarios,
    pass,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(
    `emulator (${emulatorCpus === undefined ? 'unpinned' : `CPUs ${emulatorCpus}`}, ${threads ?? '?'} body threads, median of ${args.runs}): ${scenarios
      .map((s) => `chunk ${s.chunk}: ${s.median.requestsPerSecond} req/s, ${s.median.recordsPerSecond} rec/s`)
      .join('; ')} — target ≥${TARGET.requestsPerSecond} req/s and ≥${TARGET.recordsPerSecond} rec/s: ${pass ? 'PASS' : 'FAIL'}\n`,
  );
  if (!pass) process.exitCode = 1;
}
