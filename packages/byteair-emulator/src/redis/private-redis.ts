import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteairSyncError } from 'byteair-sync/internal/src/errors/byteair-sync-error.js';

export class RedisBinaryMissingError extends ByteairSyncError {
  readonly code = 'REDIS_BINARY_MISSING';
  constructor(binary: string) {
    super(
      `redis-server was not found (looked for "${binary}"). Install it, or point REDIS_URL at a running Redis:\n` +
        '  Debian/Ubuntu:   sudo apt-get install -y redis-server\n' +
        '  macOS:           brew install redis\n' +
        '  docker compose:  docker compose up -d redis   then   export REDIS_URL=redis://127.0.0.1:6379',
      { binary },
    );
  }
}

export class PrivateRedisStartError extends ByteairSyncError {
  readonly code = 'PRIVATE_REDIS_START_FAILED';
}

export interface PrivateRedisOptions {
  /** Append-only file persistence. `false` (default) keeps everything in memory only. */
  appendOnly?: false | 'everysec' | 'always' | 'no';
  /** Use this port instead of a free one (e.g. to restart a server on the same port). */
  port?: number;
  /** Use this data directory instead of a new temp dir; it is then kept on stop(). */
  dir?: string;
  /** Extra `redis-server` arguments, e.g. ['--cluster-enabled', 'yes']. */
  extraArgs?: readonly string[];
  /** Binary to run; defaults to $REDIS_SERVER_BIN or `redis-server` on PATH. */
  binary?: string;
  /** How long to wait for PING to answer. */
  startTimeoutMs?: number;
}

export interface PrivateRedis {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /** Graceful shutdown (SHUTDOWN NOSAVE); removes the temp dir unless `dir` was given. */
  stop(): Promise<void>;
  /** SIGKILL, for crash tests; the data dir is kept so a restart can replay the AOF. */
  kill(): Promise<void>;
}

/** Asks the OS for a free loopback TCP port. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

function assertBinary(binary: string): void {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  if (probe.error !== undefined) throw new RedisBinaryMissingError(binary);
}

/**
 * Starts a private `redis-server` on loopback in a temp dir and waits until it answers
 * PING. Used by the tests, benchmarks and the demo, so none of them touch a shared Redis.
 */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const binary = options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  assertBinary(binary);
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'byteair-redis-')));
  const host = '127.0.0.1';
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);

  // A free port can be taken between the probe and the bind; try a few before giving up.
  for (let attempt = 0; ; attempt += 1) {
    const port = options.port ?? (await freePort());
    const args = [
      '--port',
      String(port),
      '--bind',
      host,
      '--dir',
      dir,
      '--save',
      '',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--loglevel',
      'warning',
      '--logfile',
      join(dir, 'redis.log'),
      '--appendonly',
      options.appendOnly === undefined || options.appendOnly === false ? 'no' : 'yes',
      ...(options.appendOnly !== undefined && options.appendOnly !== false ? ['--appendfsync', options.appendOnly] : []),
      ...(options.extraArgs ?? []),
    ];
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = await waitForPing(host, port, child, deadline);
    if (ready) return handle(child, exited, host, port, dir, ownDir);
    child.kill('SIGKILL');
    await exited;
    const canRetry = options.port === undefined && attempt < 4 && Date.now() < deadline;
    if (!canRetry) {
      if (ownDir) await rm(dir, { recursive: true, force: true });
      throw new PrivateRedisStartError(`redis-server did not start on ${host}:${port}: ${stderr.trim() || 'no answer to PING'}`, {
        port,
        dir,
      });
    }
  }
}

async function waitForPing(host: string, port: number, child: ChildProcess, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    // While loading an AOF, Redis answers -LOADING instead of +PONG; keep waiting.
    if ((await pingOnce(host, port)) === '+PONG') return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/** One raw RESP PING; a plain socket leaves no client timers behind in test runners. */
async function pingOnce(host: string, port: number): Promise<string> {
  return await new Promise((resolve) => {
    const socket = connect({ host, port });
    let answer = '';
    const finish = (result: string): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1_000, () => finish('timeout'));
    socket.on('error', () => finish('error'));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data: Buffer) => {
      answer += data.toString();
      if (answer.includes('\r\n')) finish(answer.split('\r\n')[0] ?? '');
    });
  });
}

function handle(child: ChildProcess, exited: Promise<number | null>, host: string, port: number, dir: string, ownDir: boolean): PrivateRedis {
  let stopped = false;
  const pid = child.pid ?? -1;
  return {
    url: `redis://${host}:${port}`,
    host,
    port,
    dir,
    pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        await sendRaw(host, port, 'SHUTDOWN NOSAVE\r\n');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
    async kill() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      stopped = true;
    },
  };
}

/** Sends one inline command and waits for the server to answer or hang up. */
async function sendRaw(host: string, port: number, command: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('connect', () => socket.write(command));
    socket.on('data', () => socket.destroy());
    socket.on('close', () => resolve());
    socket.on('error', () => undefined);
  });
}
