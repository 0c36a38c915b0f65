import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Config } from 'byteair-sync/internal/src/config/config.js';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { spawnEmulator, type EmulatorControl } from 'byteair-emulator';
import { openOperations, type OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';
import { TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID, TEST_TOKEN } from './pipeline.js';
import { startPrivateCluster, type PrivateCluster } from 'byteair-emulator';
import { startTestRedis, uniquePrefix, type TestRedis } from './redis.js';
import { startRestartableRedis, type AppendFsync, type RedisRestartKind, type RestartableRedis } from './restartable-redis.js';
import { PRODUCT_ROOT } from './shared.js';

export const CLI = resolve(PRODUCT_ROOT, 'dist/src/cli/main.js');

/** Child-process tests run the compiled CLI, as users do; `npm test` builds it first. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does) before these tests`);
}

/** Settings that make recovery quick enough for tests; production defaults are slower and safer. */
export const FAST_RECOVERY_ENV: Readonly<Record<string, string>> = {
  BYTEAIR_LOCK_DURATION_MS: '2000',
  BYTEAIR_BACKOFF_BASE_MS: '100',
  BYTEAIR_BACKOFF_MAX_MS: '1000',
  BYTEAIR_REQUEST_TIMEOUT_MS: '1000',
  // Room to double three times: a loaded CI host answers a 10k-record call in seconds, and a
  // timeout that cannot grow past that livelocks the run (every call and probe timed out).
  BYTEAIR_REQUEST_TIMEOUT_CAP_MS: '8000',
  BYTEAIR_CIRCUIT_COOLDOWN_MS: '200',
  BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS: '2000',
  BYTEAIR_SHUTDOWN_TIMEOUT_MS: '2000',
};

export interface ChildWorker {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves on the worker's "ready" line. */
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  /** Everything it wrote to stderr (its log). */
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface TestSystem {
  /** The single Redis, or undefined when the system runs on a private Redis Cluster. */
  readonly redis: TestRedis | undefined;
  /** The Redis Cluster's masters when `cluster` was asked for. */
  readonly cluster: PrivateCluster | undefined;
  /** The emulator, in its own process. */
  readonly emulator: EmulatorControl;
  /** The environment every process of the system is configured by. */
  readonly env: Readonly<Record<string, string>>;
  readonly config: Config;
  /** Producer API, streaming intake and operations, in this process. */
  readonly ops: OperationsHandle;
  startWorker(roles?: string, extraEnv?: Record<string, string>): ChildWorker;
  /**
   * Stops Redis (SHUTDOWN, or SIGKILL) and starts it on the same port and data dir, which
   * replays its AOF; only for a system started with `appendFsync`.
   */
  restartRedis(kind: RedisRestartKind, downMs?: number): Promise<void>;
  /**
   * What a stalled run looks like, for a timeout's message: batches, queues, circuit, limiter,
   * the emulator's totals and the last lines each worker logged.
   */
  diagnose(): Promise<string>;
  stop(): Promise<void>;
}

export interface TestSystemOptions {
  readonly env?: Record<string, string>;
  /** Extra `byteair-sync emulator` flags, e.g. ['--p503', '0.2']. */
  readonly emulatorArgs?: readonly string[];
  readonly auth?: 'volc' | 'air';
  /** Run every process against a private 3-master Redis Cluster instead of one Redis. */
  readonly cluster?: boolean;
  /**
   * Run on a private Redis with AOF persistence (`appendfsync` this) that restartRedis()
   * can crash or stop and start again. Default: the ordinary test Redis, no persistence.
   */
  readonly appendFsync?: AppendFsync;
}

/** Redis + emulator + producer in this process; workers as real child processes. */
export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  assertBuilt();
  const cluster = options.cluster === true ? await startPrivateCluster({ masters: 3 }) : undefined;
  const persistent: RestartableRedis | undefined =
    options.appendFsync === undefined || cluster !== undefined ? undefined : await startRestartableRedis('sys', options.appendFsync);
  const redis: TestRedis | undefined = persistent ?? (cluster === undefined ? await startTestRedis('sys') : undefined);
  const redisEnv: Record<string, string> =
    redis === undefined
      ? { REDIS_CLUSTER_NODES: cluster?.nodes.join(',') ?? '', BYTEAIR_REDIS_PREFIX: uniquePrefix('cluster') }
      : { REDIS_URL: redis.url, BYTEAIR_REDIS_PREFIX: redis.prefix };
  const emulator = await spawnEmulator({
    cli: CLI,
    args: [
      '--tenant-id',
      TEST_TENANT_ID,
      '--application-id',
      TEST_APPLICATION_ID,
      '--ak',
      TEST_AK,
      '--sk',
      TEST_SK,
      '--token',
      TEST_TOKEN,
      '--log-level',
      'warn',
      ...(options.emulatorArgs ?? []),
    ],
  });
  const auth: Record<string, string> = options.auth === 'air' ? { BYTEAIR_TOKEN: TEST_TOKEN } : { BYTEAIR_AK: TEST_AK, BYTEAIR_SK: TEST_SK };
  const env: Record<string, string> = {
    ...redisEnv,
    BYTEAIR_HOSTS: `127.0.0.1:${emulator.port}`,
    BYTEAIR_SCHEME: 'http',
    BYTEAIR_TENANT_ID: TEST_TENANT_ID,
    BYTEAIR_APPLICATION_ID: TEST_APPLICATION_ID,
    BYTEAIR_LOG_LEVEL: 'warn',
    ...auth,
    ...FAST_RECOVERY_ENV,
    ...options.env,
  };
  // A test that raises the timeout's floor raises its cap with it, unless it sets the cap too.
  if (options.env?.BYTEAIR_REQUEST_TIMEOUT_CAP_MS === undefined && options.env?.BYTEAIR_REQUEST_TIMEOUT_MS !== undefined) {
    env.BYTEAIR_REQUEST_TIMEOUT_CAP_MS = String(
      Math.max(Number(FAST_RECOVERY_ENV.BYTEAIR_REQUEST_TIMEOUT_CAP_MS), Number(options.env.BYTEAIR_REQUEST_TIMEOUT_MS)),
    );
  }
  const config = loadConfig(env);
  const ops = openOperations(config, redis === undefined ? {} : { redis: redis.client() });
  const children = new Set<ChildWorker>();

  return {
    redis,
    cluster,
    emulator,
    env,
    config,
    ops,
    startWorker(roles = 'upload,done,batcher', extraEnv = {}) {
      const child = spawnWorker(roles, { ...env, ...extraEnv });
      children.add(child);
      void child.exited.then(() => children.delete(child));
      return child;
    },
    async restartRedis(kind, downMs) {
      if (persistent === undefined) throw new Error('restartRedis() needs a system started with the appendFsync option');
      await persistent.restart(kind, downMs);
    },
    async diagnose() {
      return await diagnoseSystem(ops, emulator, [...children]);
    },
    async stop() {
      await Promise.all([...children].map(async (child) => await child.kill('SIGKILL')));
      await ops.close();
      await emulator.close();
      await redis?.stop();
      await cluster?.stop();
    },
  };
}

function spawnWorker(roles: string, env: Record<string, string>): ChildWorker {
  const child = spawn(process.execPath, [CLI, 'worker', '--roles', roles], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const ready = new Promise<void>((resolveReady, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.includes('"event":"ready"')) resolveReady();
    });
    void exited.then((code) => reject(new Error(`worker exited (${String(code)}) before it was ready:\n${stderr}`)));
  });
  ready.catch(() => undefined);
  return {
    process: child,
    pid: child.pid ?? -1,
    ready,
    exited,
    log: () => stderr,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return await exited;
    },
  };
}

async function diagnoseSystem(ops: OperationsHandle, emulator: EmulatorControl, workers: readonly ChildWorker[]): Promise<string> {
  const part = async (name: string, read: () => Promise<unknown>): Promise<string> => {
    try {
      return `${name}: ${JSON.stringify(await read())}`;
    } catch (error) {
      return `${name}: unreadable (${error instanceof Error ? error.message : String(error)})`;
    }
  };
  const parts = await Promise.all([
    part('batches', async () => {
      const batches = await ops.producer.batches();
      return batches.map((b) => ({
        batch: `${b.topic}/${b.stage}/${b.date}`,
        state: b.state,
        chunks: `${b.settledChunks}/${b.chunks}`,
        failed: b.failedChunks.length,
      }));
    }),
    part('status', async () => {
      const { queues, circuit, limiter } = await ops.operations.status();
      return { queues, circuit, limiter };
    }),
    part('emulator', async () => (await emulator.stats()).totals),
  ]);
  const logs = workers.map((w) => {
    const alive = w.process.exitCode === null && w.process.signalCode === null;
    const tail = w.log().trimEnd().split('\n').slice(-15).join('\n');
    return `worker ${w.pid} (${alive ? 'running' : `exited ${String(w.process.exitCode ?? w.process.signalCode)}`}), last log lines:\n${tail}`;
  });
  return [...parts, ...logs].join('\n');
}
