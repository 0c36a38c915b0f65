import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import { startPrivateRedis } from 'byteair-emulator';
import { operatorEnv, runCliWithInput } from '../../../../test/support/operator-cli.js';
import { testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { eventually } from '../../../../test/support/eventually.js';
import { CLI_PATH, type CliRun } from '../../../../test/support/run-cli.js';

let redis: TestRedis;
let ops: OperationsHandle;
/** Room for 10 records per topic: enough to fill in a test. */
const ENV = { BYTEAIR_STREAM_INTAKE_CAP: '10' };

beforeAll(async () => {
  redis = await startTestRedis('cli-push');
  ops = openOperations(testConfig(redis, ENV), { redis: redis.client() });
});
afterAll(async () => {
  try {
    await ops.close();
  } finally {
    await redis.stop();
  }
});

function push(args: readonly string[], input: string): Promise<CliRun> {
  return runCliWithInput(['push', ...args], operatorEnv(redis, ENV), input);
}

/** The records in a topic's intake, in order, as Redis holds them. */
async function intakeOf(topic: string): Promise<unknown[]> {
  const entries = await ops.redis.xrange(ops.keys.intake(topic), '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[1] ?? 'null') as unknown);
}

test('NDJSON lines (CRLF, blank lines) are pushed in order and counted; Redis holds them on exit', async () => {
  const run = await push(['--topic', 'item'], '{"id":"s1"}\r\n\r\n{"id":"s2","tags":["a"]}\n{"id":"s3"}');
  expect(run).toEqual({ code: 0, stdout: 'accepted 3 records into the streaming intake of item\n', stderr: '' });
  expect(await intakeOf('item')).toEqual([{ id: 's1' }, { id: 's2', tags: ['a'] }, { id: 's3' }]);
  const status = await ops.operations.status();
  expect(status.topics.find((t) => t.topic === 'item')?.streaming).toMatchObject({ pushed: 3, waiting: 3 });
});

test('groups: --group 2 pushes 5 lines in three all-or-nothing appends, all accepted', async () => {
  const run = await push(['--topic', 'behavior', '--group', '2'], [1, 2, 3, 4, 5].map((n) => JSON.stringify({ id: `b${n}` })).join('\n'));
  expect(run.code).toBe(0);
  expect(await intakeOf('behavior')).toEqual([1, 2, 3, 4, 5].map((n) => ({ id: `b${n}` })));
});

test('a bad line stops the push with its number; the lines before it stay accepted (exit 2)', async () => {
  const run = await push(['--topic', 'user'], '{"id":"u1"}\n{"id":"u2"}\n{"id": u3}\n{"id":"u4"}\n');
  expect(run.code).toBe(2);
  expect(run.stdout).toBe(
    'accepted 2 records into the streaming intake of user; stopped at line 3: nothing from that line on was pushed (the reason is on stderr)\n',
  );
  expect(run.stderr).toMatch(/^byteair-sync: INVALID_INPUT: stdin line 3: is not valid JSON \(.*\) \(got "\{\\"id\\": u3\}"\)\n$/);
  expect(await intakeOf('user')).toEqual([{ id: 'u1' }, { id: 'u2' }]);
});

test('a line that is JSON but not an object is refused by line number', async () => {
  const run = await push(['--topic', 'user'], '["u5"]\n');
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^byteair-sync: INVALID_INPUT: stdin line 1: must be a JSON object .*got \["u5"\]/);
  expect(await intakeOf('user')).toHaveLength(2);
});

test('empty input exits 2 and pushes nothing', async () => {
  const run = await push(['--topic', 'user'], '\n\n');
  expect(run.code).toBe(2);
  expect(run.stderr).toBe('byteair-sync: INVALID_INPUT: stdin: holds no records; push reads NDJSON, one JSON object per line (got "no records")\n');
});

test('a full intake refuses the group whole: exit 1 with the message, the count accepted, and the line to push again from', async () => {
  const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: `f${i + 1}` })).join('\n');
  const run = await push(['--topic', 'item', '--group', '4'], lines);
  // The intake already held 3 records (first test): 3 + 4 = 7 fit, 7 + 4 = 11 > 10 does not.
  expect(run.code).toBe(1);
  expect(run.stdout).toBe(
    'accepted 4 records into the streaming intake of item; stopped at line 5: nothing from that line on was pushed (the reason is on stderr)\n',
  );
  expect(run.stderr).toMatch(/^byteair-sync: INTAKE_FULL: streaming intake of topic "item" is full \(BYTEAIR_STREAM_INTAKE_CAP=10\)/);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(await intakeOf('item')).toHaveLength(7);
});

test.each([
  [[], /INVALID_INPUT: --topic: is required/],
  [['--topic', 'items'], /INVALID_INPUT: --topic: is not a configured topic/],
  [['--topic', 'item', '--group', '0'], /INVALID_INPUT: --group: must be a whole number from 1 to 5000/],
  [['--topic', 'item', '--group', '5001'], /INVALID_INPUT: --group: must be a whole number from 1 to 5000/],
])('%j exits 2 before reading anything', async (args, pattern) => {
  const run = await push(args, '{"id":"never"}\n');
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(pattern);
});

/** Waits until the stream at `key` holds `count` entries: the command has pushed that far. */
async function untilIntakeHolds(url: string, key: string, count: number): Promise<void> {
  const probe = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    await eventually(async () => (await probe.xlen(key)) >= count, `${key} to hold ${count} entries`, 10_000, 50);
  } finally {
    await probe.quit();
  }
}

describe('Redis out of reach: one line on stderr (REDIS_UNAVAILABLE, host and port, no stack), exit 1', () => {
  const ONE_LINE = /^byteair-sync: REDIS_UNAVAILABLE: cannot reach Redis at 127\.0\.0\.1:\d+ \(ECONNREFUSED\); check REDIS_URL/;

  function expectOneLine(run: CliRun): void {
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(ONE_LINE);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }

  test('before the first line: a closed port', async () => {
    const run = await runCliWithInput(
      ['push', '--topic', 'item'],
      operatorEnv(redis, { ...ENV, REDIS_URL: 'redis://:hunter2@127.0.0.1:1' }),
      '{"id":"never"}\n',
    );
    expectOneLine(run);
    expect(run.stderr).not.toContain('hunter2');
  });

  test('while pushing from a pipe: Redis stops between two lines', async () => {
    // A Redis of this test's own, to stop under the running command.
    const server = await startPrivateRedis();
    try {
      const env = { PATH: process.env.PATH ?? '', ...operatorEnv(redis, { ...ENV, REDIS_URL: server.url }) };
      const child = spawn(process.execPath, [CLI_PATH, 'push', '--topic', 'item', '--group', '1'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let [stdout, stderr] = ['', ''];
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.on('error', () => undefined);
      const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
      child.stdin.write('{"id":"o1"}\n');
      await untilIntakeHolds(server.url, ops.keys.intake('item'), 1);
      await server.stop();
      child.stdin.end('{"id":"o2"}\n');
      const code = await exited;
      expectOneLine({ code, stdout, stderr });
      expect(stdout).toBe(
        'accepted 1 records into the streaming intake of item; stopped at line 2: nothing from that line on was pushed (the reason is on stderr)\n',
      );
    } finally {
      await server.stop();
    }
  });
});
