import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BatchStore } from '../../src/batches/batch-store.js';
import { Keyspace } from '../../src/redis/keyspace.js';
import { TEST_APPLICATION_ID } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { CLI_PATH, runCli } from '../../../../test/support/run-cli.js';
import { closedPort } from '../../../../test/support/scripted-server.js';
import { INGEST_TOKEN, JSON_TYPE, NDJSON_TYPE, ndjson, send } from './support/ingest-client.js';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis('ingest-cli');
});
afterAll(async () => {
  await redis.stop();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    BYTEAIR_REDIS_PREFIX: redis.prefix,
    BYTEAIR_APPLICATION_ID: TEST_APPLICATION_ID,
    BYTEAIR_INGEST_TOKEN: INGEST_TOKEN,
    BYTEAIR_DATE_ZONE: 'UTC',
    BYTEAIR_LOG_LEVEL: 'info',
    ...extra,
  };
}

interface RunningCommand {
  readonly url: string;
  /** Sends the signal and resolves with how the process ended and everything it printed. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** `byteair-sync ingest` as a child process, resolved once it printed its listening line. */
function startCommand(args: readonly string[], environment: Record<string, string>): Promise<RunningCommand> {
  const child = spawn(process.execPath, [CLI_PATH, 'ingest', ...args], {
    env: { PATH: process.env.PATH ?? '', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      stdout.push(line);
      if (stdout.length !== 1) return;
      const first = JSON.parse(line) as { event: string; url: string };
      resolve({
        url: first.url,
        async stop(signal) {
          child.kill(signal);
          const code = await exited;
          return { code, stdout: stdout.join('\n'), stderr };
        },
      });
    });
    void exited.then((code) => reject(new Error(`ingest exited (${code ?? 'signal'}) before listening: ${stderr}`)));
  });
}

test('refuses to start without BYTEAIR_INGEST_TOKEN: exit 2 and one line naming it', async () => {
  const { BYTEAIR_INGEST_TOKEN: _token, ...withoutToken } = env();
  const run = await runCli(['ingest', '--port', '0'], withoutToken);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^byteair-sync: CONFIG_INVALID: .*BYTEAIR_INGEST_TOKEN.*is required/);
});

test('a port that is not a port: exit 2 naming BYTEAIR_INGEST_PORT', async () => {
  const run = await runCli(['ingest', '--port', 'eighty'], env());
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('BYTEAIR_INGEST_PORT');
});

test('serves the API: prints its URL, takes records into Redis, stops on SIGTERM with exit 0; its log never shows the token', async () => {
  const command = await startCommand(['--host', '127.0.0.1', '--port', '0'], env());
  let stopped = false;
  try {
    expect(command.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const added = await send(command.url, '/v1/batches/item/history_sync/2022-02-01/records', {
      headers: NDJSON_TYPE,
      body: ndjson([{ id: 'a' }, { id: 'b' }]),
    });
    expect(added.status).toBe(202);
    const batches = new BatchStore(redis.client(), new Keyspace(redis.prefix));
    expect(await batches.status('item/history_sync/2022-02-01')).toMatchObject({ records: 2, state: 'open' });
    expect((await send(command.url, '/v1/batches/item/history_sync/2022-02-01/seal', { method: 'POST' })).status).toBe(202);
    expect((await send(command.url, '/v1/status', { token: 'not-it' })).status).toBe(401);

    const end = await command.stop('SIGTERM');
    stopped = true;
    expect(end.code).toBe(0);
    expect(end.stdout.split('\n').map((line) => (JSON.parse(line) as { event: string }).event)).toEqual(['listening', 'stopped']);
    expect(end.stderr).toContain('ingest request refused');
    expect(end.stderr).not.toContain(INGEST_TOKEN);
    expect(end.stderr).not.toContain('not-it');
  } finally {
    if (!stopped) await command.stop('SIGKILL');
  }
});

test('with Redis down it still starts, answers 503 REDIS_UNAVAILABLE with Retry-After, and stops on SIGINT', async () => {
  const command = await startCommand(['--port', '0'], env({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }));
  let stopped = false;
  try {
    for (const answer of [
      await send(command.url, '/v1/batches/item/history_sync/2022-02-01/records', { headers: JSON_TYPE, body: '[{"id":"a"}]' }),
      await send(command.url, '/v1/streams/user/records', { headers: JSON_TYPE, body: '{"user_id":"u"}' }),
      await send(command.url, '/v1/status'),
    ]) {
      expect([answer.status, answer.headers['retry-after'], answer.error.code]).toEqual([503, '5', 'REDIS_UNAVAILABLE']);
    }
    expect((await send(command.url, '/healthz', { token: null })).status).toBe(200);
    const end = await command.stop('SIGINT');
    stopped = true;
    expect(end.code).toBe(0);
  } finally {
    if (!stopped) await command.stop('SIGKILL');
  }
});
