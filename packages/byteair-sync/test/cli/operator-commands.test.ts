import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnrecoverableError, Worker } from 'bullmq';
import { RejectedStore } from '../../src/batches/rejected-store.js';
import { openOperations, type OperationsHandle } from '../../src/operations/open-operations.js';
import type { SyncStatus } from '../../src/operations/sync-status.js';
import { UPLOAD_QUEUE } from '../../src/queue/sync-queue.js';
import { operatorEnv } from '../../../../test/support/operator-cli.js';
import { testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { runCli, type CliRun } from '../../../../test/support/run-cli.js';
import { makeTempDir } from '../../../../test/support/temp-files.js';

const temp = makeTempDir('cli-ops');
let redis: TestRedis;
let ops: OperationsHandle;

beforeAll(async () => {
  redis = await startTestRedis('cli-ops');
  ops = openOperations(testConfig(redis), { redis: redis.client() });
});
afterAll(async () => {
  try {
    await ops.close();
  } finally {
    await redis.stop();
    temp.remove();
  }
});

function cli(args: readonly string[]): Promise<CliRun> {
  return runCli(args, operatorEnv(redis));
}

function expectOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
}

async function stateOf(batchId: string): Promise<string | undefined> {
  return (await ops.producer.batches()).find((b) => b.batchId === batchId)?.state;
}

/** Fails every upload job it takes for good, the way an auth outage would, then stops. */
async function failOneUploadJob(): Promise<void> {
  await new Promise<void>((resolve) => {
    const worker = new Worker(
      UPLOAD_QUEUE,
      () => {
        throw new UnrecoverableError('AUTH_REJECTED: test outage');
      },
      { connection: redis.client(), prefix: ops.keys.tag },
    );
    worker.on('failed', () => {
      void worker.close().then(resolve);
    });
  });
}

describe('seal', () => {
  test('seals an open batch; sealing again changes nothing and exits 0', async () => {
    const batch = await ops.producer.batch('item', 'pre_sync', '2022-03-01');
    await batch.add([{ id: 'a' }, { id: 'b' }]);
    const args = ['seal', '--topic', 'item', '--stage', 'pre_sync', '--date', '2022-03-01'];
    const first = await cli(args);
    expect(first).toEqual({
      code: 0,
      stderr: '',
      stdout: 'sealed item/pre_sync/2022-03-01 (2 records in 1 chunks, 0 uploaded); its Done is sent once every chunk is uploaded\n',
    });
    expect(await stateOf('item/pre_sync/2022-03-01')).toBe('sealed');
    const again = await cli(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already sealed: item\/pre_sync\/2022-03-01 is sealed/);
  });

  test('a batch that does not exist is not created by trying to seal it (exit 1)', async () => {
    expectOneLineError(
      await cli(['seal', '--topic', 'item', '--stage', 'history_sync', '--date', '2022-03-02']),
      1,
      /^byteair-sync: BATCH_NOT_FOUND: batch item\/history_sync\/2022-03-02 does not exist/,
    );
    expect(await stateOf('item/history_sync/2022-03-02')).toBeUndefined();
  });

  test('an empty batch cannot be sealed (exit 1)', async () => {
    await ops.producer.batch('user', 'pre_sync', '2022-03-03');
    expectOneLineError(await cli(['seal', '--topic', 'user', '--stage', 'pre_sync', '--date', '2022-03-03']), 1, /^byteair-sync: BATCH_EMPTY: /);
  });

  test.each([
    [['--stage', 'pre_sync', '--date', '2022-03-01'], /--topic: is required/],
    [['--topic', 'item', '--stage', 'streaming', '--date', '2022-03-01'], /--stage: must be one of/],
    [['--topic', 'item', '--stage', 'pre_sync', '--date', '01/03/2022'], /--date: must be a date as YYYY-MM-DD/],
  ])('seal %j exits 2', async (args, pattern) => {
    expectOneLineError(await cli(['seal', ...args]), 2, pattern);
  });
});

describe('status', () => {
  test('--json is the SyncStatus of Redis; the table shows each topic, its stages, unfinished batches and the streaming backlog', async () => {
    const batch = await ops.producer.batch('behavior', 'history_sync', '2022-03-04');
    await batch.add([{ id: 'h1' }, { id: 'h2' }, { id: 'h3' }]);
    await ops.intake.push('user', [{ id: 'p1' }, { id: 'p2' }]);

    const json = await cli(['status', '--json']);
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout) as SyncStatus;
    const expected = await ops.operations.status();
    expect(status.topics).toEqual(expected.topics.map((t) => ({ ...t, streaming: { ...t.streaming, oldestWaitingMs: expect.any(Number) as number } })));
    expect(status.batches).toEqual(expected.batches);
    expect(status.queues).toEqual(expected.queues);
    expect(status.topics.find((t) => t.topic === 'behavior')?.stages.history_sync).toMatchObject({ open: 1, records: 3 });

    const table = await cli(['status']);
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^byteair-sync status at \d{4}-\d\d-\d\dT/);
    expect(lines).toContainEqual(expect.stringMatching(/^queues {3}upload: \d+ waiting, 0 active, 0 delayed, \d+ failed; done: /));
    expect(lines).toContainEqual(expect.stringMatching(/^limiter {2}last second: 0\/100 requests \(0%\), 0\/50000 records \(0%\)$/));
    expect(lines).toContainEqual('circuit  closed');
    expect(lines).toContainEqual('behavior  (daily-then-streaming, stage order on)');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}history_sync +1 +1 +0 +0 +0 +3 +0 +0 +0 +0 +-$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}history_sync +2022-03-04 +open +3 records +0\/1 chunks uploaded +0%$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}streaming: HELD until the first incremental_sync_daily Done; 2 pushed, 2 waiting in the intake/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}daily freshness: not started \(no incremental_sync_daily Done yet\); daily Done due by 06:00 next day \(.+\)$/),
    );
  });
});

describe('pause and resume', () => {
  test('pause stops both queues for every worker; resume starts them again', async () => {
    const paused = await cli(['pause']);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^paused: /);
    expect([await ops.queues.upload.isPaused(), await ops.queues.done.isPaused()]).toEqual([true, true]);
    expect((await cli(['status'])).stdout).toMatch(/upload: .*\(PAUSED\); done: .*\(PAUSED\)/);
    const resumed = await cli(['resume']);
    expect(resumed).toEqual({ code: 0, stderr: '', stdout: 'resumed: workers take upload and Done jobs again\n' });
    expect([await ops.queues.upload.isPaused(), await ops.queues.done.isPaused()]).toEqual([false, false]);
  });
});

describe('replay', () => {
  test('--dry-run lists a failed job and changes nothing; replay moves it back to waiting with attempts reset', async () => {
    // Earlier tests left upload jobs waiting; dropped, so the failing worker takes this batch's job.
    await ops.queues.upload.drain();
    const batch = await ops.producer.batch('user', 'history_sync', '2022-03-05');
    await batch.add([{ id: 'r1' }, { id: 'r2' }]);
    await failOneUploadJob();

    const dry = await cli(['replay', '--topic', 'user', '--dry-run']);
    expect(dry.code).toBe(0);
    const [line, summary] = dry.stdout.trimEnd().split('\n');
    expect(line?.split('\t')).toEqual([
      'upload',
      expect.any(String),
      'user',
      'history_sync',
      '2022-03-05',
      '2 records',
      expect.stringMatching(/^\d{4}-.*Z$/),
      'AUTH_REJECTED: test outage',
    ]);
    expect(summary).toBe('dry run: 1 failed jobs match; nothing changed (run without --dry-run to replay them)');
    const jobId = line?.split('\t')[1] ?? '';
    expect(await (await ops.queues.upload.getJob(jobId))?.getState()).toBe('failed');

    expect((await cli(['replay', '--topic', 'item'])).stdout).toBe('no failed jobs match\n');
    expect((await cli(['replay', '--topic', 'user', '--until', '2000-01-01T00:00:00Z'])).stdout).toBe('no failed jobs match\n');

    const real = await cli(['replay', '--topic', 'user', '--stage', 'history_sync', '--date', '2022-03-05', '--since', '2000-01-01']);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/\nreplayed 1 failed jobs: back to waiting with their attempts reset\n$/);
    const job = await ops.queues.upload.getJob(jobId);
    expect(await job?.getState()).toMatch(/^(waiting|prioritized)$/);
    expect(job?.attemptsMade).toBe(0);
    const none = await cli(['replay', '--json']);
    expect(none).toEqual({ code: 0, stderr: '', stdout: '[]\n' });
  });

  test.each([
    [['--since', 'yesterday'], /--since: must be an ISO 8601 time/],
    [['--since', '2024-03-02', '--until', '2024-03-01'], /--until: must be after --since/],
    [['--stage', 'incremental_sync_streaming', '--date', '2022-01-01'], /--date: cannot narrow incremental_sync_streaming/],
    [['--topic', 'nope'], /--topic: is not a configured topic/],
    [['--date', '2999-12-31'], /--date: is in the future/],
  ])('replay %j exits 2', async (args, pattern) => {
    expectOneLineError(await cli(['replay', ...args]), 2, pattern);
  });
});

describe('rejected export', () => {
  beforeAll(async () => {
    // Rejections belong to batches (or a topic's stream); the export walks those.
    for (const topic of ['item', 'user']) await (await ops.producer.batch(topic, 'pre_sync', '2022-03-06')).add([{ id: 'x' }]);
    const rejected = new RejectedStore(ops.redis, ops.keys);
    const at = Date.UTC(2022, 2, 6, 8, 0, 0);
    await rejected.store('item/pre_sync/2022-03-06', 'w-1', [{ data: '{"id":"x1","price":-1}', reason: 'price, "out of range"' }], at);
    await rejected.store('stream/item', 's-1', [{ data: '{"id":"x2"}', reason: 'missing title' }], at);
    await rejected.store('user/pre_sync/2022-03-06', 'w-2', [{ data: '{"id":"y1"}', reason: 'bad age' }], at);
  });

  test('JSON Lines by default, filtered by topic; the count goes to stderr', async () => {
    const run = await cli(['rejected', 'export', '--topic', 'item']);
    expect(run.code).toBe(0);
    const rows = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(rows).toHaveLength(2);
    expect(rows).toContainEqual({
      topic: 'item',
      stage: 'pre_sync',
      date: '2022-03-06',
      requestId: 'w-1',
      rejectedAt: '2022-03-06T08:00:00.000Z',
      reason: 'price, "out of range"',
      record: '{"id":"x1","price":-1}',
    });
    expect(rows).toContainEqual({
      topic: 'item',
      stage: 'incremental_sync_streaming',
      date: null,
      requestId: 's-1',
      rejectedAt: '2022-03-06T08:00:00.000Z',
      reason: 'missing title',
      record: '{"id":"x2"}',
    });
    expect(run.stderr).toBe('exported 2 rejected records to stdout\n');
  });

  test('CSV to a file, narrowed by stage and date, quoted as RFC 4180 asks', async () => {
    const output = join(temp.path, 'rejected.csv');
    const run = await cli(['rejected', 'export', '--stage', 'pre_sync', '--date', '2022-03-06', '--format', 'csv', '--output', output]);
    expect(run).toEqual({ code: 0, stderr: '', stdout: `exported 2 rejected records to ${output}\n` });
    const lines = readFileSync(output, 'utf8').split('\r\n');
    expect(lines[0]).toBe('topic,stage,date,request_id,rejected_at,reason,record');
    expect(lines).toContain('item,pre_sync,2022-03-06,w-1,2022-03-06T08:00:00.000Z,"price, ""out of range""","{""id"":""x1"",""price"":-1}"');
    expect(lines).toContain('user,pre_sync,2022-03-06,w-2,2022-03-06T08:00:00.000Z,bad age,"{""id"":""y1""}"');
  });

  test.each([
    [['--format', 'xml'], 2, /INVALID_INPUT: --format: must be one of jsonl, csv/],
    [['--output', '/nonexistent-dir/out.jsonl'], 2, /INVALID_INPUT: --output: cannot be written \(ENOENT\)/],
    [['--stage', 'later'], 2, /INVALID_INPUT: --stage: must be one of/],
  ])('rejected export %j exits %i', async (args, code, pattern) => {
    expectOneLineError(await cli(['rejected', 'export', ...args]), code, pattern);
  });
});

describe('--help', () => {
  const FLAGS: Record<string, readonly string[]> = {
    import: ['--topic', '--stage', '--date', '--file', '--format', '--seal', '--progress-every', '--quiet', 'Exit codes:', 'Idempotent'],
    push: ['--topic', '--group', 'Exit codes:'],
    seal: ['--topic', '--stage', '--date', 'Exit codes:'],
    status: ['--json', 'Exit codes:'],
    'rejected export': ['--topic', '--stage', '--date', '--format', '--output', 'Exit codes:'],
    replay: ['--topic', '--stage', '--date', '--since', '--until', '--dry-run', '--json', 'Exit codes:'],
    pause: ['Exit codes:'],
    resume: ['Exit codes:'],
  };
  test.each(Object.entries(FLAGS))('%s --help documents every flag and the exit codes', async (command, flags) => {
    const run = await runCli([...command.split(' '), '--help'], {});
    expect(run.code).toBe(0);
    for (const flag of flags) expect(run.stdout).toContain(flag);
  });
});
