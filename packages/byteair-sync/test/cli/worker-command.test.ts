import { spawn } from 'node:child_process';
import { startEmulator, type RunningEmulator } from 'byteair-emulator';
import { startPrivateRedis } from 'byteair-emulator';
import { TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID } from '../../../../test/support/pipeline.js';
import { startRestartableRedis, type RestartableRedis } from '../../../../test/support/restartable-redis.js';
import { CLI_PATH, runCli } from '../../../../test/support/run-cli.js';
import { eventually } from '../../../../test/support/eventually.js';

/** `byteair-sync worker` as an operator runs it: the built binary, its bad input, a Redis outage, SIGTERM. */
let redis: RestartableRedis;
let emulator: RunningEmulator;

beforeAll(async () => {
  redis = await startRestartableRedis('worker-cli', 'everysec');
  emulator = await startEmulator({ tenants: [{ tenantId: TEST_TENANT_ID, applicationId: TEST_APPLICATION_ID, ak: TEST_AK, sk: TEST_SK }] });
});

afterAll(async () => {
  await emulator.close();
  await redis.stop();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    BYTEAIR_REDIS_PREFIX: redis.prefix,
    BYTEAIR_HOSTS: emulator.url.replace('http://', ''),
    BYTEAIR_SCHEME: 'http',
    BYTEAIR_TENANT_ID: TEST_TENANT_ID,
    BYTEAIR_APPLICATION_ID: TEST_APPLICATION_ID,
    BYTEAIR_AK: TEST_AK,
    BYTEAIR_SK: TEST_SK,
    BYTEAIR_LOG_LEVEL: 'info',
    ...extra,
  };
}

test.each([
  [['worker', '--roles', 'upload,uploader'], /--roles.*upload,uploader|upload,uploader.*--roles/],
  [['worker', '--roles', ','], /--roles/],
  [['worker', '--concurrency', '0'], /BYTEAIR_CONCURRENCY="0"/],
  [['worker', '--concurrency', 'many'], /BYTEAIR_CONCURRENCY="many"/],
  [['worker', '--role', 'upload'], /unknown option '--role'/],
])('%j exits 2 with one line naming the flag and the value', async (args, message) => {
  const { code, stderr, stdout } = await runCli(args, env());
  expect(code).toBe(2);
  expect(stderr).toMatch(message);
  expect(stdout).toBe('');
});

test('missing credentials for the upload role: exit 2 naming the setting, no secret printed', async () => {
  const { code, stderr } = await runCli(['worker'], env({ BYTEAIR_AK: '', BYTEAIR_SK: '' }));
  expect(code).toBe(2);
  expect(stderr).toMatch(/BYTEAIR_(AK|SK|TOKEN|AUTH)/);
  expect(stderr).not.toContain(TEST_SK);
});

/** Spawns the built worker with output collected, as a supervisor (systemd, docker) would run it. */
function spawnWorker(extraEnv: Record<string, string> = {}): {
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
} {
  const child = spawn(process.execPath, [CLI_PATH, 'worker', '--concurrency', '2'], { env: { PATH: process.env.PATH ?? '', ...env(extraEnv) } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
  };
}

test('a Redis outage is one warning and one recovery line, not a stack trace per retry; SIGTERM then exits 0', async () => {
  const worker = spawnWorker();
  try {
    await eventually(() => Promise.resolve(worker.stdout().includes('"event":"ready"') ? true : undefined), 'the ready line', 20_000);
    await redis.restart('sigkill', 3_000);
    await eventually(() => Promise.resolve(worker.stderr().includes('Redis reachable again') ? true : undefined), 'the recovery line', 20_000);
    const lines = worker
      .stderr()
      .split('\n')
      .filter((line) => line.trim() !== '');
    // Every line is one JSON log record: nothing printed raw by ioredis or BullMQ.
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(lines.filter((line) => line.includes('Redis unreachable'))).toHaveLength(1);
  } finally {
    worker.kill('SIGTERM');
  }
  expect(await worker.exited).toBe(0);
}, 60_000);

test('SIGTERM while Redis is gone for good still ends the process, with exit 0, after the shutdown deadline', async () => {
  const doomed = await startPrivateRedis();
  const worker = spawnWorker({ REDIS_URL: doomed.url, BYTEAIR_SHUTDOWN_TIMEOUT_MS: '1000' });
  try {
    await eventually(() => Promise.resolve(worker.stdout().includes('"event":"ready"') ? true : undefined), 'the ready line', 20_000);
    await doomed.kill();
    await eventually(() => Promise.resolve(worker.stderr().includes('Redis unreachable') ? true : undefined), 'the outage warning', 20_000);
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toContain('dropping its connections');
  } finally {
    worker.kill('SIGKILL');
    await doomed.stop().catch(() => undefined);
  }
}, 60_000);
