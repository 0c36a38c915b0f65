import { Command, CommanderError } from 'commander';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { FAKE_CREDENTIALS, resolveEmulatorCommand, type EmulatorFlags } from '../../src/cli/emulator-flags.js';
import { register, serveEmulator } from '../../src/cli/emulator.js';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { loadSdkVectors } from '../../../../test/support/shared.js';
import { TENANT } from './support/fixture.js';
import { send, writeAnswer } from './support/http.js';

/* `byteair-sync emulator`: flags, their errors, credentials' defaults, and a served run. */

class ParsedOnly extends Error {}

/** Parses like the real CLI but stops before the action (which would serve until a signal). */
async function parseFlags(args: readonly string[]): Promise<EmulatorFlags> {
  const program = new Command('byteair-sync').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  register(program);
  let flags: EmulatorFlags | undefined;
  program.hook('preAction', (_program, action) => {
    flags = { idField: [], required: [], rejectRecord: [], ...action.opts<Partial<EmulatorFlags>>() } as EmulatorFlags;
    throw new ParsedOnly();
  });
  await program.parseAsync(['emulator', ...args], { from: 'user' }).catch((error: unknown) => {
    if (!(error instanceof ParsedOnly)) throw error;
  });
  if (flags === undefined) throw new Error('the action was not reached');
  return flags;
}

function helpText(): string {
  const program = new Command('byteair-sync');
  register(program);
  const command = program.commands.find((c) => c.name() === 'emulator');
  if (command === undefined) throw new Error('no emulator command');
  // outputHelp, not helpInformation: the text added after the options only comes with it.
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s) });
  command.outputHelp();
  return text;
}

test('--help documents every flag the emulator takes, and the admin endpoint', () => {
  const help = helpText();
  for (const flag of [
    '--host',
    '--port',
    '--tenant-id',
    '--application-id',
    '--ak',
    '--sk',
    '--token',
    '--now',
    '--max-requests-per-second',
    '--max-records-per-second',
    '--no-limits',
    '--strict-ordering',
    '--streaming-only-topics',
    '--latency-ms',
    '--jitter-ms',
    '--p500',
    '--p503',
    '--p-hang',
    '--p-reset',
    '--outage-seconds',
    '--storm-seconds',
    '--reject-record',
  ]) {
    expect(help).toContain(flag);
  }
  expect(help).toContain('/__emulator/');
});

test.each([
  [['--p500', '1.5'], "option '--p500 <probability>' argument '1.5' is invalid. must be a number from 0 to 1"],
  [['--port', '70000'], "option '--port <port>' argument '70000' is invalid"],
  [['--now', '2022-01-02'], "option '--now <iso>' argument '2022-01-02' is invalid"],
  [['--tenant-id', 'abc'], "option '--tenant-id <id>' argument 'abc' is invalid"],
  [['--reject-record', '{"field":"x"}'], 'option \'--reject-record <json>\' argument \'{"field":"x"}\' is invalid. rule[0].reason: must be a non-empty string'],
  [['--outage-mode', 'flood'], "option '--outage-mode <mode>' argument 'flood' is invalid"],
  [['--date-zone', 'Mars/Olympus'], "option '--date-zone <zone>' argument 'Mars/Olympus' is invalid"],
])('bad value %j: one error line naming the flag and the value', async (args, message) => {
  const error = await parseFlags(args).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CommanderError);
  expect((error as CommanderError).exitCode).not.toBe(0);
  expect((error as CommanderError).message).toContain(message);
  expect((error as CommanderError).message).not.toContain('\n');
});

test('flags become emulator options', async () => {
  const flags = await parseFlags([
    '--port=0',
    '--now=2022-01-02T03:04:05Z',
    '--no-limits',
    '--max-requests-per-second=7',
    '--p500=0.25',
    '--latency-ms=10',
    '--strict-ordering',
    '--streaming-only-topics=behavior',
    '--id-field=behavior=event_id',
    '--required=user=user_id,gender',
    '--reject-record={"field":"price","missing":true,"reason":"no price"}',
    '--outage-seconds=30',
    '--outage-mode=503',
  ]);
  const { options, clockDescription, outage } = resolveEmulatorCommand(flags, loadConfig({}));
  expect(options.clock?.now()).toBe(Date.UTC(2022, 0, 2, 3, 4, 5));
  expect(clockDescription).toBe('fixed at 2022-01-02T03:04:05.000Z');
  expect(options.limits).toEqual({ enabled: false, maxRequestsPerSecond: 7, maxRecordsPerSecond: 50_000 });
  expect(options.faults).toEqual({ p500: 0.25, latencyMs: 10, recordRejections: [{ field: 'price', missing: true, reason: 'no price' }] });
  expect(options.strictOrdering).toBe(true);
  expect(options.streamingOnlyTopics).toEqual(['behavior']);
  expect(options.topics).toEqual([{ name: 'item' }, { name: 'user', requiredFields: ['user_id', 'gender'] }, { name: 'behavior', idField: 'event_id' }]);
  expect(outage).toEqual({ afterSeconds: 0, seconds: 30, mode: '503' });
});

test('the stamping thread asks for priority unless --no-front-door-priority', async () => {
  expect(resolveEmulatorCommand(await parseFlags([]), loadConfig({})).frontDoorPriority).toBe(true);
  const off = resolveEmulatorCommand(await parseFlags(['--port=0', '--no-front-door-priority']), loadConfig({}));
  expect(off.frontDoorPriority).toBe(false);
  const out = new PassThrough();
  const stop = new AbortController();
  const serving = serveEmulator(off, out, stop.signal, () => {
    throw new Error('asked for priority although turned off');
  });
  const [first] = (await once(out, 'data')) as [Buffer];
  expect(JSON.parse(first.toString('utf8'))).toMatchObject({ frontDoor: { raised: false, reason: 'turned off (--no-front-door-priority)' } });
  stop.abort();
  await serving;
});

test('--now with --clock-advances starts the clock there and lets it run', async () => {
  let real = 1_000_000;
  const { options } = resolveEmulatorCommand(await parseFlags(['--now', '2022-01-02T03:04:05Z', '--clock-advances']), loadConfig({}), () => real);
  real += 1500;
  expect(options.clock?.now()).toBe(Date.UTC(2022, 0, 2, 3, 4, 5) + 1500);
});

test('credentials: a flag wins, then the project config, then the printed fake values', async () => {
  const config = loadConfig({ BYTEAIR_TENANT_ID: '777', BYTEAIR_APPLICATION_ID: '888', BYTEAIR_AK: 'AK-config', BYTEAIR_SK: 'SK-config' });
  const resolved = resolveEmulatorCommand(await parseFlags(['--application-id', '999']), config);
  expect(resolved.tenant).toEqual({ tenantId: '777', applicationId: '999', ak: 'AK-config', sk: 'SK-config', token: FAKE_CREDENTIALS.token });
  expect(resolved.sources).toEqual({ tenantId: 'config', applicationId: 'flag', ak: 'config', sk: 'config', token: 'fake' });
  expect(resolveEmulatorCommand(await parseFlags([]), loadConfig({})).tenant).toEqual(FAKE_CREDENTIALS);
});

test('serves, prints its URL as a JSON line, replays a capture at --now, and stops on the signal with its totals', async () => {
  const flags = await parseFlags([
    '--port=0',
    '--now=2022-01-02T03:04:05Z',
    `--tenant-id=${TENANT.tenantId}`,
    `--application-id=${TENANT.applicationId}`,
    `--ak=${TENANT.ak}`,
    `--sk=${TENANT.sk}`,
  ]);
  const out = new PassThrough();
  const stop = new AbortController();
  // This thread is jest's: the stand-in reports a raise without making one.
  let prioritized = 0;
  const serving = serveEmulator(resolveEmulatorCommand(flags, loadConfig({})), out, stop.signal, () => {
    prioritized += 1;
    return { nice: -10, raised: true };
  });
  const [first] = (await once(out, 'data')) as [Buffer];
  const listening = JSON.parse(first.toString('utf8')) as { event: string; url: string; sk: string; token: string };
  expect(listening).toMatchObject({ event: 'listening', sk: '[from --sk]', token: FAKE_CREDENTIALS.token, frontDoor: { nice: -10, raised: true } });
  expect(prioritized).toBe(1);
  const vector = loadSdkVectors().vectors[0];
  if (vector === undefined) throw new Error('no vectors');
  const reply = await send(listening.url, 'POST', vector.request.path, vector.request.headers, Buffer.from(vector.request.body_b64, 'base64'));
  expect(writeAnswer(reply).status.code).toBe(0);
  stop.abort();
  await serving;
  const lines = (out.read() as Buffer).toString('utf8').trim().split('\n');
  expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({ event: 'stopped', totals: { writeRequests: 1, acceptedRecords: 2 } });
});

test('with BYTEAIR_AK/BYTEAIR_SK and BYTEAIR_TOKEN both set, the emulator accepts both schemes: the SDK captures of each answer 0', async () => {
  const config = loadConfig({
    BYTEAIR_TENANT_ID: TENANT.tenantId,
    BYTEAIR_APPLICATION_ID: TENANT.applicationId,
    BYTEAIR_AK: TENANT.ak,
    BYTEAIR_SK: TENANT.sk,
    BYTEAIR_TOKEN: TENANT.token,
  });
  const resolved = resolveEmulatorCommand(await parseFlags(['--port=0', '--now=2022-01-02T03:04:05Z']), config);
  expect(resolved.sources).toEqual({ tenantId: 'config', applicationId: 'config', ak: 'config', sk: 'config', token: 'config' });
  const out = new PassThrough();
  const stop = new AbortController();
  const serving = serveEmulator(resolved, out, stop.signal, () => ({ nice: 0, raised: false }));
  const [first] = (await once(out, 'data')) as [Buffer];
  const { url } = JSON.parse(first.toString('utf8')) as { url: string };
  const { vectors } = loadSdkVectors();
  const answers: Record<string, number> = {};
  for (const scheme of ['volc', 'air']) {
    const vector = vectors.find((v) => v.inputs.auth === scheme && v.request.path.includes('method=write'));
    if (vector === undefined) throw new Error(`no ${scheme} write capture`);
    const reply = await send(url, 'POST', vector.request.path, vector.request.headers, Buffer.from(vector.request.body_b64, 'base64'));
    answers[scheme] = writeAnswer(reply).status.code;
  }
  stop.abort();
  await serving;
  expect(answers).toEqual({ volc: 0, air: 0 });
});
