import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Config } from 'byteair-sync/internal/src/config/config.js';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { spawnEmulator, type EmulatorControl } from 'byteair-emulator';
import { stampsPrioritized } from 'byteair-emulator';
import { openOperations, type OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';
import { startPrivateRedis, type PrivateRedis } from 'byteair-emulator';
import { spawnBenchChild, type BenchChild } from './child-process.js';
import { CpuShare } from './cpu-usage.js';

/** Fixed fake credentials: the emulator accepts them, nothing else ever sees them. */
const CREDENTIALS = { tenantId: '1000001', applicationId: '2000001', ak: 'AKLT-bench', sk: 'bench-secret' };

// Run from dist/bench/harness/; the product's own build, as users run it.
export const CLI = fileURLToPath(new URL('../../../packages/byteair-sync/dist/src/cli/main.js', import.meta.url));
const BASELINE_WORKER = fileURLToPath(new URL('../baseline-worker.js', import.meta.url));
const STREAM_PRODUCER = fileURLToPath(new URL('../stream-producer.js', import.meta.url));

/** Which upload worker a run uses. */
export type WorkerKind =
  /** The product: `byteair-sync worker` with the global sliding-window limiter. */
  | { readonly kind: 'sync'; readonly roles: string }
  /** Our limiter bypassed, BullMQ's own job-count limiter `{max, duration: 1000}` instead. */
  | { readonly kind: 'baseline'; readonly max: number };

export interface BenchSystemOptions {
  /** Settings for every process, on top of the bench defaults. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra `byteair-sync emulator` flags. */
  readonly emulatorArgs?: readonly string[];
  /** Environment of the emulator process, e.g. NODE_OPTIONS=--cpu-prof to see where its time goes. */
  readonly emulatorEnv?: Readonly<Record<string, string>>;
}

export interface BenchSystem {
  readonly redis: PrivateRedis;
  /** A client of the bench's own, for INFO and reads. */
  readonly client: Redis;
  readonly emulator: EmulatorControl;
  readonly env: Readonly<Record<string, string>>;
  readonly config: Config;
  readonly ops: OperationsHandle;
  startWorkers(count: number, kind: WorkerKind): Promise<BenchChild[]>;
  /** Stream producers (bench/stream-producer.ts); each waits for "go" once ready. */
  startProducers(args: ReadonlyArray<readonly string[]>): Promise<BenchChild[]>;
  /**
   * Stops the children (SIGTERM, then SIGKILL after `graceMs`, default 2 s), then the rest.
   * A child killed that way writes no diagnostics: give it the time its shutdown needs.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Everything a benchmark runs on, fresh for every run: a private Redis with AOF everysec
 * (as deployed), the emulator in its own process with its limits on, the producer API in
 * this process, and workers and producers as child processes.
 */
export async function startBenchSystem(options: BenchSystemOptions = {}): Promise<BenchSystem> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run bench does)`);
  const redis = await startPrivateRedis({ appendOnly: 'everysec' });
  const children: BenchChild[] = [];
  let emulator: EmulatorControl | undefined;
  try {
    emulator = await spawnEmulator({
      cli: CLI,
      ...(options.emulatorEnv === undefined ? {} : { env: options.emulatorEnv }),
      args: [
        '--tenant-id',
        CREDENTIALS.tenantId,
        '--application-id',
        CREDENTIALS.applicationId,
        '--ak',
        CREDENTIALS.ak,
        '--sk',
        CREDENTIALS.sk,
        '--log-level',
        'warn',
        ...(options.emulatorArgs ?? []),
      ],
    });
    // Said once per system: the figures mean less when the emulator's stamps can lag (front-door-priority.ts).
    if (!stampsPrioritized(emulator.frontDoor)) {
      process.stderr.write(
        `  note: the emulator's stamping thread runs at nice ${emulator.frontDoor.nice} (${emulator.frontDoor.reason ?? 'not raised'}); under CPU load its arrival stamps lag, so windows "as the emulator saw them" may hold more than the workers sent\n`,
      );
    }
    const env: Record<string, string> = {
      REDIS_URL: redis.url,
      BYTEAIR_REDIS_PREFIX: 'bench',
      BYTEAIR_HOSTS: `127.0.0.1:${emulator.port}`,
      BYTEAIR_SCHEME: 'http',
      BYTEAIR_TENANT_ID: CREDENTIALS.tenantId,
      BYTEAIR_APPLICATION_ID: CREDENTIALS.applicationId,
      BYTEAIR_AK: CREDENTIALS.ak,
      BYTEAIR_SK: CREDENTIALS.sk,
      BYTEAIR_LOG_LEVEL: 'warn',
      ...options.env,
    };
    const config = loadConfig(env);
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const ops = openOperations(config, { redis: client });
    const started = emulator;
    const spawnAll = async (argsList: ReadonlyArray<readonly string[]>): Promise<BenchChild[]> => {
      const spawned = argsList.map((args) => spawnBenchChild(args, env));
      children.push(...spawned);
      await Promise.all(spawned.map(async (child) => await child.ready));
      return spawned;
    };
    return {
      redis,
      client,
      emulator: started,
      env,
      config,
      ops,
      startWorkers: async (count, kind) =>
        await spawnAll(
          Array.from({ length: count }, () => (kind.kind === 'sync' ? [CLI, 'worker', '--roles', kind.roles] : [BASELINE_WORKER, '--max', String(kind.max)])),
        ),
      startProducers: async (argsList) => await spawnAll(argsList.map((args) => [STREAM_PRODUCER, ...args])),
      async stop(graceMs = 2_000) {
        await Promise.all(children.map(async (child) => await child.stop(graceMs)));
        await ops.close();
        await client.quit().catch(() => client.disconnect());
        await started.close();
        await redis.stop();
      },
    };
  } catch (error) {
    await Promise.all(children.map(async (child) => await child.stop(0)));
    await emulator?.close();
    await redis.stop();
    throw error;
  }
}

/** Redis used_memory (bytes), from INFO memory. */
export async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

/** CPU accounting of the system's processes: emulator, Redis, this process, and each child by name. */
export function cpuShareOf(system: BenchSystem, children: Readonly<Record<string, readonly BenchChild[]>>): CpuShare {
  return new CpuShare(
    new Map([
      ['emulator', system.emulator.pid],
      ['redis', system.redis.pid],
      ['bench', process.pid],
      ...Object.entries(children).flatMap(([name, list]) => list.map((child, i): [string, number] => [`${name}${i + 1}`, child.pid])),
    ]),
  );
}
