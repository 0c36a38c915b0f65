import { spawn } from 'node:child_process';
import { operatorEnv } from '../../../../test/support/operator-cli.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { CLI_PATH, runCli } from '../../../../test/support/run-cli.js';
import { eventually } from '../../../../test/support/eventually.js';

/** `byteair-sync dashboard` as an operator runs it: the built binary, its bad input, a start and a stop. */
let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis('dash-cli');
});

afterAll(async () => {
  await redis.stop();
});

const LOGIN = { BYTEAIR_DASHBOARD_USER: 'ops', BYTEAIR_DASHBOARD_PASSWORD: 'obviously-fake-password' };

test.each([
  [['dashboard', '--port', 'eighty'], {}, /BYTEAIR_DASHBOARD_PORT="eighty"/],
  [['dashboard', '--port', '70000'], {}, /BYTEAIR_DASHBOARD_PORT="70000"/],
  [['dashboard', '--host', '0.0.0.0', '--port', '0'], {}, /BYTEAIR_DASHBOARD_HOST/],
  [['dashboard', '--host', '0.0.0.0', '--port', '0'], { BYTEAIR_DASHBOARD_USER: 'ops' }, /BYTEAIR_DASHBOARD_(HOST|PASSWORD)/],
  [['dashboard', '--port', '0'], { BYTEAIR_DASHBOARD_READ_ONLY: 'maybe' }, /BYTEAIR_DASHBOARD_READ_ONLY="maybe"/],
  [['dashboard', '--listen', '0'], {}, /unknown option '--listen'/],
])('%j with %j exits 2 with one line naming the setting or flag', async (args, extra, message) => {
  const { code, stderr, stdout } = await runCli(args, operatorEnv(redis, extra));
  expect(code).toBe(2);
  expect(stderr).toMatch(message);
  // One line says what is wrong; a usage error adds commander's pointer to --help.
  expect(
    stderr
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('(run with --help')),
  ).toHaveLength(1);
  expect(stdout).toBe('');
  expect(stderr).not.toContain('obviously-fake-password');
});

test('it prints where it listens, serves /healthz and the login, and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [CLI_PATH, 'dashboard', '--port', '0'], { env: { PATH: process.env.PATH ?? '', ...operatorEnv(redis, LOGIN) } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const listening = await eventually(() => Promise.resolve(/\{"event":"listening".*\}/.exec(stdout)?.[0]), 'the listening line', 20_000);
    const { url } = JSON.parse(listening) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await eventually(async () => ((await fetch(`${url}/healthz`)).status === 200 ? true : undefined), '/healthz 200', 10_000);
    const page = await fetch(`${url}/status`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/login/);
    expect((await fetch(`${url}/api/status`)).status).toBe(401);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(stdout).toContain('{"event":"stopped"}');
}, 60_000);
