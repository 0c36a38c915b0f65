import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { openOperations, type OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';
import { startPrivateRedis, type PrivateRedis } from 'byteair-emulator';

/**
 * `npm run bench -- durability [--trials 5] [--seconds 4] [--per-push 10] [--every-ms 2] [--modes everysec,always] [--crashes process,host] [--saturate-seconds 4]`
 * (the loss windows docs/durability.md states per mode)
 *
 * What an `appendfsync` mode loses when Redis dies. A producer on the production connection
 * settings acknowledges small streaming pushes at a steady rate (and batch adds beside them);
 * Redis dies at a random moment; it restarts from the same data dir; we count the acknowledged
 * records that are missing and the time span their acknowledgements cover (kill time minus the
 * earliest missing acknowledgement).
 *   process: SIGKILL of redis-server. What Redis had write()n survives in the page cache.
 *   host:    a simulated power loss: SIGKILL, then each AOF file is cut back to the length it
 *            had when its last fsync began (recorded by an LD_PRELOAD shim, needs a C compiler):
 *            the worst case of a machine crash at that instant.
 * Also: push acknowledgement latency per mode (the price of `always`), records found twice after
 * the restart (a push in flight at the crash resent by ioredis; docs/durability.md B1), and, per
 * mode, what saturating producers get through (8 concurrent pushers of 10 records, one adder of
 * 1 000-record batch adds) for --saturate-seconds (0 skips it).
 */

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHIM_SOURCE = join(PROJECT_ROOT, 'bench', 'durability-fsync-shim.c');
const PREFIX = 'durability';
const TOPIC = 'behavior';
const ADD_RECORDS = 100;
const ADD_EVERY_MS = 50;

type Mode = 'everysec' | 'always';
type Crash = 'process' | 'host';

interface Args {
  readonly trials: number;
  readonly seconds: number;
  readonly perPush: number;
  readonly everyMs: number;
  readonly modes: readonly Mode[];
  readonly crashes: readonly Crash[];
  readonly saturateSeconds: number;
}

interface Saturation {
  readonly mode: Mode;
  readonly pushesPerSecond: number;
  readonly pushedRecordsPerSecond: number;
  readonly addsPerSecond: number;
}

interface Trial {
  readonly mode: Mode;
  readonly crash: Crash;
  /** ms from the first push to the kill. */
  readonly killAfterMs: number;
  readonly acknowledgedRecords: number;
  readonly missingRecords: number;
  /** Kill time minus the earliest acknowledgement of a missing record; 0 when none is missing. */
  readonly lossSpanMs: number;
  /** Missing records that are not the latest ones acknowledged (AOF loss is a suffix; this should be 0). */
  readonly missingOutOfOrder: number;
  readonly duplicatedRecords: number;
  readonly acknowledgedAdds: number;
  readonly missingAdds: number;
  readonly pushesPerSecond: number;
  readonly ackLatencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

function parseArgs(args: readonly string[]): Args {
  const value = (name: string, fallback: string): string => {
    const at = args.indexOf(`--${name}`);
    return at === -1 ? fallback : (args[at + 1] ?? fallback);
  };
  const positive = (name: string, fallback: number): number => {
    const text = value(name, String(fallback));
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1 (got ${text})`);
    return n;
  };
  const list = <T extends string>(name: string, fallback: string, allowed: readonly T[]): T[] => {
    const items = value(name, fallback).split(',');
    for (const item of items) if (!allowed.includes(item as T)) throw new Error(`--${name} takes ${allowed.join(', ')} (got ${item})`);
    return items as T[];
  };
  return {
    trials: positive('trials', 5),
    seconds: positive('seconds', 4),
    perPush: positive('per-push', 10),
    everyMs: positive('every-ms', 2),
    modes: list('modes', 'everysec,always', ['everysec', 'always'] as const),
    crashes: list('crashes', 'process,host', ['process', 'host'] as const),
    saturateSeconds: value('saturate-seconds', '4') === '0' ? 0 : positive('saturate-seconds', 4),
  };
}

/** Builds the fsync shim once; undefined (host crashes skipped) without a C compiler. */
function buildShim(workDir: string): string | undefined {
  const out = join(workDir, 'fsync-shim.so');
  const cc = spawnSync(process.env.CC ?? 'cc', ['-shared', '-fPIC', '-O2', '-o', out, SHIM_SOURCE, '-ldl'], { encoding: 'utf8' });
  if (cc.status !== 0 || !existsSync(out)) {
    process.stderr.write(`durability: no C compiler (${cc.error?.message ?? cc.stderr.trim()}); host-crash trials skipped\n`);
    return undefined;
  }
  return out;
}

/** A redis-server that records, for every fsync, the file and its length when the fsync began. */
function shimmedRedis(workDir: string, shim: string, log: string): string {
  const wrapper = join(workDir, 'redis-server-fsync-log');
  const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  writeFileSync(wrapper, `#!/bin/sh\nLD_PRELOAD='${shim}' FSYNC_SHIM_LOG='${log}' exec '${binary}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** The power cut: every incremental AOF file back to its last fsynced length (never fsynced: empty). */
function cutToFsynced(dir: string, log: string): void {
  const fsynced = new Map<string, number>();
  if (existsSync(log)) {
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const space = line.indexOf(' ');
      if (space > 0) fsynced.set(line.slice(space + 1), Number(line.slice(0, space)));
    }
  }
  const aofDir = join(dir, 'appendonlydir');
  for (const name of readdirSync(aofDir).filter((n) => n.endsWith('.incr.aof'))) {
    const path = join(aofDir, name);
    truncateSync(path, fsynced.get(path) ?? 0);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const round = (n: number): number => Math.round(n * 10) / 10;
const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));

async function runTrial(args: Args, mode: Mode, crash: Crash, shim: string | undefined): Promise<Trial> {
  const workDir = mkdtempSync(join(tmpdir(), 'byteair-durability-'));
  const dir = join(workDir, 'data');
  const log = join(workDir, 'fsync.log');
  let server: PrivateRedis | undefined;
  let handle: OperationsHandle | undefined;
  try {
    mkdirSync(dir);
    const binary = crash === 'host' && shim !== undefined ? shimmedRedis(workDir, shim, log) : undefined;
    server = await startPrivateRedis({ appendOnly: mode, dir, ...(binary === undefined ? {} : { binary }) });
    const config = loadConfig({
      REDIS_URL: server.url,
      BYTEAIR_REDIS_PREFIX: PREFIX,
      BYTEAIR_APPLICATION_ID: '2000001',
      BYTEAIR_TENANT_ID: '1000001',
      BYTEAIR_LOG_LEVEL: 'silent',
      BYTEAIR_STREAMING_ONLY_TOPICS: TOPIC,
    });
    handle = openOperations(config);
    for (const queue of [handle.queues.upload, handle.queues.done]) queue.on('error', () => undefined);
    const producer = handle;

    const ackAt: number[] = [];
    const latencies: number[] = [];
    let running = true;
    const t0 = performance.now();
    const pushes = (async () => {
      for (let k = 0; running; k += 1) {
        const records = Array.from({ length: args.perPush }, (_, i) => ({ bhv_id: `b-${k}-${i}`, event: 'view' }));
        const sent = performance.now();
        try {
          await producer.intake.push(TOPIC, records);
        } catch {
          return;
        }
        const acked = performance.now();
        ackAt[k] = acked;
        latencies.push(acked - sent);
        const next = t0 + (k + 1) * args.everyMs;
        await sleep(Math.max(0, next - performance.now()));
      }
    })();
    let acknowledgedAdds = 0;
    const adds = (async () => {
      const batch = await producer.producer.batch('item', 'history_sync', '2022-06-01');
      while (running) {
        const k = acknowledgedAdds;
        try {
          await batch.add(Array.from({ length: ADD_RECORDS }, (_, i) => ({ id: `i-${k}-${i}`, title: 'x' })));
        } catch {
          return;
        }
        acknowledgedAdds += 1;
        await sleep(ADD_EVERY_MS);
      }
    })();

    await sleep(1_000 + Math.random() * (args.seconds - 1) * 1_000);
    const killedAt = performance.now();
    await server.kill();
    running = false;
    if (crash === 'host') cutToFsynced(dir, log);
    const addsAcknowledged = acknowledgedAdds;
    const pushesAcknowledged = ackAt.filter((t) => t !== undefined && t <= killedAt).length;
    server = await startPrivateRedis({ appendOnly: mode, dir, port: server.port, startTimeoutMs: 60_000 });
    await Promise.all([pushes, adds]);

    const reader = new Redis(server.url, { maxRetriesPerRequest: 3 });
    const counts = new Map<string, number>();
    try {
      for (const [, fields] of await reader.xrange(`{${PREFIX}}:intake:${TOPIC}`, '-', '+')) {
        const id = String((JSON.parse(fields[1] ?? '{}') as { bhv_id?: string }).bhv_id);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    } finally {
      await reader.quit();
    }
    const missing: number[] = [];
    ackAt.forEach((at, k) => {
      if (at !== undefined && at <= killedAt && !counts.has(`b-${k}-0`)) missing.push(k);
    });
    const acknowledgedPushes = ackAt.flatMap((at, k) => (at !== undefined && at <= killedAt ? [k] : []));
    const firstMissing = missing[0];
    const suffixStart = acknowledgedPushes.length - missing.length;
    const outOfOrder = missing.filter((k) => acknowledgedPushes.indexOf(k) < suffixStart).length;
    const status = await handle.producer.batches();
    const chunks = status[0]?.chunks ?? 0;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      mode,
      crash,
      killAfterMs: Math.round(killedAt - t0),
      acknowledgedRecords: pushesAcknowledged * args.perPush,
      missingRecords: missing.length * args.perPush,
      lossSpanMs: firstMissing === undefined ? 0 : Math.round(killedAt - (ackAt[firstMissing] ?? killedAt)),
      missingOutOfOrder: outOfOrder * args.perPush,
      duplicatedRecords: [...counts.values()].filter((n) => n > 1).length,
      acknowledgedAdds: addsAcknowledged,
      missingAdds: Math.max(0, addsAcknowledged - chunks),
      pushesPerSecond: Math.round(pushesAcknowledged / ((killedAt - t0) / 1000)),
      ackLatencyMs: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? 0) },
    };
  } finally {
    await handle?.close();
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const SATURATING_PUSHERS = 8;

/** What producers get through when they push and add as fast as Redis answers. */
async function saturate(mode: Mode, seconds: number): Promise<Saturation> {
  const workDir = mkdtempSync(join(tmpdir(), 'byteair-durability-'));
  const server = await startPrivateRedis({ appendOnly: mode, dir: workDir });
  const config = loadConfig({
    REDIS_URL: server.url,
    BYTEAIR_REDIS_PREFIX: PREFIX,
    BYTEAIR_APPLICATION_ID: '2000001',
    BYTEAIR_TENANT_ID: '1000001',
    BYTEAIR_LOG_LEVEL: 'silent',
    BYTEAIR_STREAMING_ONLY_TOPICS: TOPIC,
  });
  const handle = openOperations(config);
  try {
    let pushes = 0;
    let adds = 0;
    let running = true;
    const t0 = performance.now();
    const pushers = Array.from({ length: SATURATING_PUSHERS }, async (_, p) => {
      for (let k = 0; running; k += 1) {
        await handle.intake.push(
          TOPIC,
          Array.from({ length: 10 }, (_, i) => ({ bhv_id: `s-${p}-${k}-${i}`, event: 'view' })),
        );
        pushes += 1;
      }
    });
    const adder = (async () => {
      const batch = await handle.producer.batch('item', 'history_sync', '2022-06-01');
      for (let k = 0; running; k += 1) {
        await batch.add(Array.from({ length: 1_000 }, (_, i) => ({ id: `s-${k}-${i}`, title: 'x'.repeat(200) })));
        adds += 1;
      }
    })();
    await sleep(seconds * 1_000);
    running = false;
    await Promise.all([...pushers, adder]);
    const elapsed = (performance.now() - t0) / 1_000;
    return {
      mode,
      pushesPerSecond: Math.round(pushes / elapsed),
      pushedRecordsPerSecond: Math.round((pushes * 10) / elapsed),
      addsPerSecond: round(adds / elapsed),
    };
  } finally {
    await handle.close();
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function summarize(trials: readonly Trial[]) {
  const groups = new Map<string, Trial[]>();
  for (const t of trials) groups.set(`${t.mode}/${t.crash}`, [...(groups.get(`${t.mode}/${t.crash}`) ?? []), t]);
  return Object.fromEntries(
    [...groups].map(([key, list]) => {
      const spans = list.map((t) => t.lossSpanMs).sort((a, b) => a - b);
      const latencyP50 = list.map((t) => t.ackLatencyMs.p50).sort((a, b) => a - b);
      return [
        key,
        {
          trials: list.length,
          trialsWithLoss: list.filter((t) => t.missingRecords > 0).length,
          missingRecords: list.map((t) => t.missingRecords),
          lossSpanMs: { median: percentile(spans, 50), max: spans[spans.length - 1] ?? 0 },
          missingAdds: list.reduce((sum, t) => sum + t.missingAdds, 0),
          duplicatedRecords: list.reduce((sum, t) => sum + t.duplicatedRecords, 0),
          missingOutOfOrder: list.reduce((sum, t) => sum + t.missingOutOfOrder, 0),
          ackLatencyMs: { p50: percentile(latencyP50, 50), p99Max: Math.max(...list.map((t) => t.ackLatencyMs.p99)) },
          pushesPerSecond: Math.round(list.reduce((sum, t) => sum + t.pushesPerSecond, 0) / list.length),
        },
      ];
    }),
  );
}

export async function runDurabilityBench(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const workDir = mkdtempSync(join(tmpdir(), 'byteair-durability-shim-'));
  try {
    const shim = args.crashes.includes('host') ? buildShim(workDir) : undefined;
    const trials: Trial[] = [];
    for (let trial = 0; trial < args.trials; trial += 1) {
      for (const mode of args.modes) {
        for (const crash of args.crashes) {
          if (crash === 'host' && shim === undefined) continue;
          const result = await runTrial(args, mode, crash, shim);
          trials.push(result);
          process.stderr.write(
            `durability ${mode}/${crash} #${trial + 1}: killed at ${result.killAfterMs} ms, ${result.missingRecords}/${result.acknowledgedRecords} acknowledged records missing (span ${result.lossSpanMs} ms), ${result.missingAdds}/${result.acknowledgedAdds} adds missing, ${result.duplicatedRecords} duplicated\n`,
          );
        }
      }
    }
    const saturation: Saturation[] = [];
    if (args.saturateSeconds > 0) {
      for (const mode of args.modes) {
        const result = await saturate(mode, args.saturateSeconds);
        saturation.push(result);
        process.stderr.write(
          `durability ${mode} saturated: ${result.pushesPerSecond} pushes/s (${result.pushedRecordsPerSecond} records/s), ${result.addsPerSecond} adds/s of 1 000 records\n`,
        );
      }
    }
    const summary = summarize(trials);
    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cpus: availableParallelism(),
      node: process.version,
      redis: /v=(\S+)/.exec(spawnSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? 'unknown',
    };
    process.stdout.write(`${JSON.stringify({ bench: 'durability', machine, args, summary, saturation, trials }, null, 2)}\n`);
    process.stderr.write(
      `${Object.entries(summary)
        .map(
          ([key, s]) => `${key}: ${s.trialsWithLoss}/${s.trials} trials lost data, loss span max ${s.lossSpanMs.max} ms, push ack p50 ${s.ackLatencyMs.p50} ms`,
        )
        .join('; ')}\n`,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
