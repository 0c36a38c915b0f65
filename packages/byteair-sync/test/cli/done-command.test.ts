import { gunzipSync } from 'node:zlib';
import { decodeDoneRequest } from '../../src/byteair/messages.js';
import { formatProtoDate } from '../../src/byteair/payload.js';
import { doneRequestId } from '../../src/queue/request-id.js';
import { DONE_OK, doneReply } from '../../../../test/support/api-replies.js';
import { CLI_APPLICATION_ID, CLI_SK, CLI_TENANT_ID, cliApiEnv, runCli, type CliRun } from '../../../../test/support/run-cli.js';
import { withScriptedServer, type RecordedRequest, type ScriptedServer } from '../../../../test/support/scripted-server.js';
import { checkVolcSignature } from '../../../../test/support/verify-signature.js';

function done(server: ScriptedServer, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['done', ...args], cliApiEnv(server.host, extraEnv));
}

function onlyRequest(server: ScriptedServer): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0] as RecordedRequest;
}

const dates = (request: RecordedRequest): string[] => decodeDoneRequest(gunzipSync(request.body)).map(formatProtoDate);

describe('byteair-sync done: successful calls', () => {
  test('two dates: one signed Done request with both dates, exit 0', async () => {
    await withScriptedServer([DONE_OK], async (server) => {
      const run = await done(server, ['--topic', 'user', '--stage', 'history_sync', '--date', '2022-01-01', '--date', '20220102']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^accepted: user\/history_sync 2022-01-01, 2022-01-02 marked done \(status 0 "OK", request id m-[0-9a-f]{32}, host 127\.0\.0\.1:\d+\)\n$/,
      );
      const request = onlyRequest(server);
      expect(request.url).toBe(`/data/api/${CLI_APPLICATION_ID}/done?topic=user&stage=history_sync`);
      expect(request.header('tenant-id')).toBe(CLI_TENANT_ID);
      expect(request.header('content-type')).toBe('application/x-protobuf');
      expect(request.header('content-date')).toBeUndefined();
      expect(dates(request)).toEqual(['2022-01-01', '2022-01-02']);
      expect(checkVolcSignature(request, CLI_SK).valid).toBe(true);
    });
  });

  test('one date uses the pipeline id of that Done; the same dates in another order the same id', async () => {
    await withScriptedServer([DONE_OK], async (server) => {
      await done(server, ['--topic', 'item', '--stage', 'pre_sync', '--date', '2022-01-01']);
      await done(server, ['--topic', 'item', '--stage', 'pre_sync', '--date', '2022-01-01', '--date', '2022-01-02']);
      await done(server, ['--topic', 'item', '--stage', 'pre_sync', '--date', '2022-01-02', '--date', '2022-01-01']);
      const ids = server.requests.map((r) => r.header('request-id'));
      expect(ids[0]).toBe(doneRequestId(CLI_APPLICATION_ID, 'item', 'pre_sync', '2022-01-01'));
      expect(ids[2]).toBe(ids[1]);
      expect(ids[1]).not.toBe(ids[0]);
    });
  });

  test('409: duplicate, exit 0; --json prints the result on stdout', async () => {
    await withScriptedServer([doneReply(409, 'duplicated request id')], async (server) => {
      const run = await done(server, ['--topic', 'item', '--stage', 'incremental_sync_daily', '--date', '2022-01-01', '--json', '--request-id', 'done-1']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        command: 'done',
        outcome: 'duplicate',
        topic: 'item',
        stage: 'incremental_sync_daily',
        dates: ['2022-01-01'],
        requestId: 'done-1',
        status: { code: 409, message: 'duplicated request id', success: false },
        host: server.host,
        httpStatus: 200,
        latencyMs: expect.any(Number) as number,
      });
      expect(run.stderr).toMatch(/^duplicate: the API had already received request id done-1/);
      expect(onlyRequest(server).header('request-id')).toBe('done-1');
    });
  });

  test('status 400 (date already archived): exit 1 with the server message', async () => {
    await withScriptedServer([doneReply(400, 'Syncing or ack is not allowed when done.')], async (server) => {
      const run = await done(server, ['--topic', 'item', '--stage', 'pre_sync', '--date', '2022-01-01']);
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr: 'byteair-sync: STAGE_REJECTED: API rejected the request (400): Syncing or ack is not allowed when done.\n',
      });
    });
  });
});

describe('byteair-sync done: bad input exits 2 and sends nothing', () => {
  const cases: Array<[label: string, args: string[], expected: string]> = [
    ['no --date', ['--topic', 'item', '--stage', 'pre_sync'], '--date: needs at least one date, as YYYY-MM-DD (got [])'],
    ['missing --topic', ['--stage', 'pre_sync', '--date', '2022-01-01'], '--topic: is required'],
    ['the streaming stage', ['--topic', 'item', '--stage', 'incremental_sync_streaming', '--date', '2022-01-01'], '--stage: must be an offline stage'],
    ['a future date', ['--topic', 'item', '--stage', 'pre_sync', '--date', '2022-01-01', '--date', '2999-12-31'], '--date: is in the future'],
    [
      'a date twice',
      ['--topic', 'item', '--stage', 'pre_sync', '--date', '2022-01-01', '--date', '20220101'],
      '--date: lists 2022-01-01 twice (got "20220101")',
    ],
    ['a bad date', ['--topic', 'item', '--stage', 'pre_sync', '--date', '2022-1-1'], '--date: must be a date as YYYY-MM-DD (got "2022-1-1")'],
  ];
  test.concurrent.each(cases)('%s', async (_label, args, expected) => {
    await withScriptedServer([DONE_OK], async (server) => {
      const run = await done(server, args);
      expect(run.code).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`byteair-sync: INVALID_INPUT: ${expected}`);
      expect(server.requests).toHaveLength(0);
    });
  });

  test('an option without its value is a usage error: exit 2', async () => {
    await withScriptedServer([DONE_OK], async (server) => {
      const run = await done(server, ['--topic', 'item', '--stage', 'pre_sync', '--date']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("error: option '--date <date>' argument missing");
    });
  });
});

test('done --help documents every flag, idempotency and the exit codes', async () => {
  const run = await runCli(['done', '--help'], {});
  expect(run.code).toBe(0);
  for (const flag of ['--topic <topic>', '--stage <stage>', '--date <date>', '--request-id <id>', '--json', '--help']) expect(run.stdout).toContain(flag);
  expect(run.stdout).toContain('repeat for several dates');
  expect(run.stdout).toContain('idempotent');
  expect(run.stdout).toContain('Exit codes: 0 accepted or duplicate (409)');
});

test('the top-level --help lists both commands', async () => {
  const run = await runCli(['--help'], {});
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^\s+write \[options\]/m);
  expect(run.stdout).toMatch(/^\s+done \[options\]/m);
});
