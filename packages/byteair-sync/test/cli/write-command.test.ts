import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { offlineWriteRequestId } from '../../src/queue/request-id.js';
import { WRITE_OK, writeReply } from '../../../../test/support/api-replies.js';
import { CLI_AK, CLI_APPLICATION_ID, CLI_SK, CLI_TENANT_ID, cliApiEnv, runCli, type CliRun } from '../../../../test/support/run-cli.js';
import { closedPort, withScriptedServer, type RecordedRequest, type ScriptedServer } from '../../../../test/support/scripted-server.js';
import { makeTempDir } from '../../../../test/support/temp-files.js';
import { checkVolcSignature } from '../../../../test/support/verify-signature.js';

const temp = makeTempDir('cli-write');
afterAll(() => temp.remove());

const RECORDS = [
  { id: 'item_id1', title: '火山', price: 1.5 },
  { id: 'item_id2', title: 'two', tags: ['a'] },
];
const itemsJson = temp.write('items.json', JSON.stringify(RECORDS, null, 2));
const itemsJsonl = temp.write('items.jsonl', `${RECORDS.map((r) => JSON.stringify(r)).join('\r\n')}\n\n`);

/** The id the pipeline would give the same records: sha256 of the compact JSON array. */
function pipelineId(stage: string, date: string, records: readonly unknown[]): string {
  const sha = createHash('sha256')
    .update(`[${records.map((r) => JSON.stringify(r)).join(',')}]`)
    .digest('hex');
  return offlineWriteRequestId(CLI_APPLICATION_ID, 'item', stage, date, sha);
}

function onlyRequest(server: ScriptedServer): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0] as RecordedRequest;
}

function write(server: ScriptedServer | string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['write', ...args], cliApiEnv(typeof server === 'string' ? server : server.host, extraEnv));
}

const OFFLINE_ARGS = ['--topic', 'item', '--stage', 'history_sync', '--date', '2022-01-01'];

describe('byteair-sync write: a successful call', () => {
  test('a .json file: one signed WriteData request with the records, exit 0 and a readable line', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      const run = await write(server, [...OFFLINE_ARGS, '--file', itemsJson]);
      expect(run).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
      const id = pipelineId('history_sync', '2022-01-01', RECORDS);
      expect(run.stdout).toBe(`accepted: 2 records written to item/history_sync 2022-01-01 (status 0 "OK", request id ${id}, host ${server.host})\n`);
      const request = onlyRequest(server);
      expect(request.url).toBe(`/data/api/${CLI_APPLICATION_ID}/item?method=write&stage=history_sync`);
      expect(request.header('tenant-id')).toBe(CLI_TENANT_ID);
      expect(request.header('content-date')).toBe('2022-01-01');
      expect(request.header('request-id')).toBe(id);
      expect(JSON.parse(gunzipSync(request.body).toString('utf8'))).toEqual(RECORDS);
      expect(checkVolcSignature(request, CLI_SK)).toEqual(expect.objectContaining({ valid: true, accessKeyId: CLI_AK, bodyHashMatches: true }));
    });
  });

  test('the same records as .jsonl (CRLF, blank lines) send the same body and the same request id', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      expect((await write(server, [...OFFLINE_ARGS, '--file', itemsJson])).code).toBe(0);
      expect((await write(server, [...OFFLINE_ARGS, '--file', itemsJsonl])).code).toBe(0);
      const [first, second] = server.requests as [RecordedRequest, RecordedRequest];
      expect(second.header('request-id')).toBe(first.header('request-id'));
      expect(gunzipSync(second.body)).toEqual(gunzipSync(first.body));
    });
  });

  test('re-running is idempotent: same id; the API answers 409 and the command reports duplicate, exit 0', async () => {
    await withScriptedServer([WRITE_OK, writeReply(409, 'duplicated request id')], async (server) => {
      await write(server, [...OFFLINE_ARGS, '--file', itemsJson]);
      const again = await write(server, [...OFFLINE_ARGS, '--file', itemsJson]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/^duplicate: the API had already received request id w-[0-9a-f]{32} for item\/history_sync 2022-01-01/);
      expect(server.requests[1]?.header('request-id')).toBe(server.requests[0]?.header('request-id'));
    });
  });

  test('other records, another date or another stage give another id (control)', async () => {
    const other = temp.write('other.json', JSON.stringify([RECORDS[0]]));
    await withScriptedServer([WRITE_OK], async (server) => {
      await write(server, [...OFFLINE_ARGS, '--file', itemsJson]);
      await write(server, [...OFFLINE_ARGS, '--file', other]);
      await write(server, ['--topic', 'item', '--stage', 'history_sync', '--date', '2021-12-31', '--file', itemsJson]);
      await write(server, ['--topic', 'item', '--stage', 'pre_sync', '--date', '2022-01-01', '--file', itemsJson]);
      expect(new Set(server.requests.map((r) => r.header('request-id'))).size).toBe(4);
    });
  });

  test('--request-id replaces the default id', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      expect((await write(server, [...OFFLINE_ARGS, '--file', itemsJson, '--request-id', 'ops-replay-7'])).code).toBe(0);
      expect(onlyRequest(server).header('request-id')).toBe('ops-replay-7');
    });
  });

  test('streaming: no --date, no Content-Date header', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      const run = await write(server, ['--topic', 'item', '--stage', 'incremental_sync_streaming', '--file', itemsJsonl]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^accepted: 2 records written to item\/incremental_sync_streaming \(/);
      const request = onlyRequest(server);
      expect(request.header('content-date')).toBeUndefined();
      expect(request.header('request-id')).toMatch(/^m-[0-9a-f]{32}$/);
    });
  });

  test('--json: the full result as JSON on stdout, the readable line on stderr', async () => {
    await withScriptedServer([WRITE_OK], async (server) => {
      const run = await write(server, [...OFFLINE_ARGS, '--file', itemsJson, '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        command: 'write',
        outcome: 'accepted',
        topic: 'item',
        stage: 'history_sync',
        date: '2022-01-01',
        records: 2,
        requestId: pipelineId('history_sync', '2022-01-01', RECORDS),
        status: { code: 0, message: 'OK', success: true },
        host: server.host,
        httpStatus: 200,
        latencyMs: expect.any(Number) as number,
      });
      expect(run.stderr).toMatch(/^accepted: 2 records/);
    });
  });

  test('status 1001: exit 3, each rejected record listed with its reason', async () => {
    const errors = [{ message: "field 'price' is required", data: '{"id":"item_id2"}' }];
    await withScriptedServer([writeReply(1001, 'partial data failed', errors)], async (server) => {
      const run = await write(server, [...OFFLINE_ARGS, '--file', itemsJson]);
      expect(run.code).toBe(3);
      expect(run.stdout.split('\n')).toEqual([
        expect.stringMatching(
          /^partial: 1 of 2 records rejected for item\/history_sync 2022-01-01, the others written \(status 1001 "partial data failed"/,
        ) as string,
        `rejected: field 'price' is required: {"id":"item_id2"}`,
        '',
      ]);
      const json = await write(server, [...OFFLINE_ARGS, '--file', itemsJson, '--json']);
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stdout)).toEqual(
        expect.objectContaining({ outcome: 'partial', rejected: [{ data: '{"id":"item_id2"}', reason: "field 'price' is required" }] }),
      );
    });
  });
});

describe('byteair-sync write: a failed call exits 1 with one line', () => {
  test('HTTP 503', async () => {
    await withScriptedServer([{ kind: 'respond', status: 503 }], async (server) => {
      const run = await write(server, [...OFFLINE_ARGS, '--file', itemsJson]);
      expect(run).toEqual({ code: 1, stdout: '', stderr: `byteair-sync: UPSTREAM_UNAVAILABLE: API answered HTTP 503 Service Unavailable\n` });
    });
  });

  test('status 400 from the API: the server message', async () => {
    await withScriptedServer([writeReply(400, 'Syncing is not allowed when acked.')], async (server) => {
      const run = await write(server, [...OFFLINE_ARGS, '--file', itemsJson]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('byteair-sync: STAGE_REJECTED: API rejected the request (400): Syncing is not allowed when acked.\n');
    });
  });

  test('connection refused', async () => {
    const host = `127.0.0.1:${await closedPort()}`;
    const run = await write(host, [...OFFLINE_ARGS, '--file', itemsJson]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`byteair-sync: UPSTREAM_UNAVAILABLE: connection to ${host} was refused\n`);
  });
});

describe('byteair-sync write: bad input exits 2 with one line naming the field and value, and sends nothing', () => {
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `r${i}` })).join('\n');
  const files = {
    broken: temp.write('broken.json', '[\n  {"id": "a"},\n  {"id": "b" "x": 1}\n]\n'),
    brokenLines: temp.write('broken.jsonl', '{"id":"a"}\n\n{"id": b}\n'),
    tooMany: temp.write('too-many.jsonl', lines(10_001)),
    nonObject: temp.write('non-object.json', '[{"id":"a"}, 5]'),
    nonObjectLine: temp.write('non-object.jsonl', '{"id":"a"}\n["not", "an", "object"]\n'),
    notArray: temp.write('object.json', '{"id":"a"}'),
    empty: temp.write('empty.jsonl', '\n\n'),
    csv: temp.write('items.csv', 'id\na\n'),
  };
  const cases: Array<[label: string, args: string[], expected: string, env?: Record<string, string>]> = [
    ['missing --topic', ['--stage', 'pre_sync', '--date', '2022-01-01', '--file', itemsJson], '--topic: is required: the topic to write (got nothing)'],
    ['missing --stage', ['--topic', 'item', '--date', '2022-01-01', '--file', itemsJson], '--stage: is required'],
    ['missing --file', OFFLINE_ARGS, '--file: is required: a .json or .jsonl file of records (got nothing)'],
    [
      'missing --date for an offline stage',
      ['--topic', 'item', '--stage', 'pre_sync', '--file', itemsJson],
      '--date: is required: the data date (YYYY-MM-DD) of this pre_sync upload (got nothing)',
    ],
    [
      'an unknown stage',
      ['--topic', 'item', '--stage', 'daily', '--date', '2022-01-01', '--file', itemsJson],
      '--stage: must be one of pre_sync, history_sync, incremental_sync_daily, incremental_sync_streaming (got "daily")',
    ],
    [
      'an unknown topic',
      ['--topic', 'items', '--stage', 'pre_sync', '--date', '2022-01-01', '--file', itemsJson],
      '--topic: is not a configured topic (BYTEAIR_TOPICS: item, user, behavior) (got "items")',
    ],
    [
      'a date that is no calendar day',
      ['--topic', 'item', '--stage', 'pre_sync', '--date', '2022-02-30', '--file', itemsJson],
      '--date: is not a calendar date',
    ],
    [
      'a date in another format',
      ['--topic', 'item', '--stage', 'pre_sync', '--date', '01/02/2022', '--file', itemsJson],
      '--date: must be a date as YYYY-MM-DD (got "01/02/2022")',
    ],
    ['a future date', ['--topic', 'item', '--stage', 'pre_sync', '--date', '2999-01-01', '--file', itemsJson], '--date: is in the future (today is'],
    [
      'a date before 2000-01-01',
      ['--topic', 'item', '--stage', 'pre_sync', '--date', '0001-01-01', '--file', itemsJson],
      '--date: is before 2000-01-01, the earliest data date taken (got "0001-01-01")',
    ],
    [
      'a date for streaming',
      ['--topic', 'item', '--stage', 'incremental_sync_streaming', '--date', '2022-01-01', '--file', itemsJson],
      '--date: must not be given for incremental_sync_streaming: streaming data has no data date (got "2022-01-01")',
    ],
    [
      'daily data for a streaming-only topic',
      ['--topic', 'behavior', '--stage', 'incremental_sync_daily', '--date', '2022-01-01', '--file', itemsJson],
      '--stage: topic "behavior" is declared streaming-only',
      { BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior' },
    ],
    ['a file that does not exist', [...OFFLINE_ARGS, '--file', `${temp.path}/absent.json`], `--file: does not exist (got "${temp.path}/absent.json")`],
    ['a file that is neither .json nor .jsonl', [...OFFLINE_ARGS, '--file', files.csv], '--file: must end in .json'],
    [
      'invalid JSON in a .json file, by line',
      [...OFFLINE_ARGS, '--file', files.broken],
      `${files.broken} line 3: is not valid JSON (Expected ',' or '}' after property value at column 14) (got "  {\\"id\\": \\"b\\" \\"x\\": 1}")`,
    ],
    ['invalid JSON in a .jsonl file, by line', [...OFFLINE_ARGS, '--file', files.brokenLines], `${files.brokenLines} line 3: is not valid JSON`],
    [
      'more than 10 000 records',
      [...OFFLINE_ARGS, '--file', files.tooMany],
      `${files.tooMany}: holds more records than one write call may carry (at most 10000, BYTEAIR_MAX_RECORDS_PER_REQUEST); split the file (got "10001 records")`,
    ],
    ['a record that is not an object (.json)', [...OFFLINE_ARGS, '--file', files.nonObject], `${files.nonObject}[1]: must be a JSON object`],
    ['a record that is not an object (.jsonl)', [...OFFLINE_ARGS, '--file', files.nonObjectLine], `${files.nonObjectLine} line 2: must be a JSON object`],
    ['a .json file that is not an array', [...OFFLINE_ARGS, '--file', files.notArray], `${files.notArray}: must hold a JSON array of record objects`],
    ['a file without records', [...OFFLINE_ARGS, '--file', files.empty], `${files.empty}: holds no records`],
    [
      'a request id with spaces',
      [...OFFLINE_ARGS, '--file', itemsJson, '--request-id', 'my id'],
      '--request-id: must be 1-128 visible ASCII characters without spaces (got "my id")',
    ],
  ];
  // Independent processes and servers: run side by side to keep the suite quick.
  test.concurrent.each(cases)('%s', async (_label, args, expected, env = {}) => {
    await withScriptedServer([WRITE_OK], async (server) => {
      const run = await write(server, args, env);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`byteair-sync: INVALID_INPUT: ${expected}`);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(server.requests).toHaveLength(0);
    });
  });

  test('missing API settings: CONFIG_INVALID naming the variable, exit 2', async () => {
    const env = cliApiEnv('127.0.0.1:1');
    delete env.BYTEAIR_TENANT_ID;
    const run = await runCli(['write', ...OFFLINE_ARGS, '--file', itemsJson], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('byteair-sync: CONFIG_INVALID: config BYTEAIR_TENANT_ID=nothing (environment): is required to call the ByteAir API\n');
  });

  test('an unknown option is a usage error: exit 2', async () => {
    const run = await runCli(['write', '--topik', 'item'], cliApiEnv('127.0.0.1:1'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown option '--topik'");
  });
});

test('write --help documents every flag, idempotency and the exit codes', async () => {
  const run = await runCli(['write', '--help'], {});
  expect(run.code).toBe(0);
  for (const flag of ['--topic <topic>', '--stage <stage>', '--date <date>', '--file <path>', '--request-id <id>', '--json', '--help'])
    expect(run.stdout).toContain(flag);
  expect(run.stdout).toContain('idempotent');
  expect(run.stdout).toMatch(/Exit codes: 0 accepted or duplicate \(409\), 3 partial/);
});
