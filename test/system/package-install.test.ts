import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from 'byteair-emulator';
import { TEST_AK, TEST_APPLICATION_ID, TEST_SK, TEST_TENANT_ID } from '../support/pipeline.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { PRODUCT_ROOT, PROJECT_ROOT } from '../support/shared.js';
import { assertBuilt } from '../support/system.js';
import { eventually } from '../support/eventually.js';

/**
 * The package as a user gets it: `npm pack` of this checkout, `npm install <tarball>` in an
 * empty folder, then the installed command and the TypeScript API from a fresh script, against
 * a private Redis and the emulator. Nothing from this checkout is on the path but the tarball.
 */
const run = promisify(execFile);
const NPM = 'npm';
const TSC = resolve(PROJECT_ROOT, 'node_modules/typescript/bin/tsc');

let folder: string;
let app: string;
let tarball: string;
let redis: TestRedis;
let emulator: RunningEmulator;
let env: Record<string, string>;

/** Runs a command in the user's folder; a failure carries what it printed. */
async function sh(file: string, args: readonly string[], extra: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, { cwd: app, env: { ...env, ...extra }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { message: string; stdout?: string; stderr?: string };
    throw new Error(`${e.message}\nstdout:\n${e.stdout ?? ''}\nstderr:\n${e.stderr ?? ''}`);
  }
}

/** `npm pack` of the package in `cwd` into the test folder; the tarball's path. */
async function pack(cwd: string): Promise<string> {
  const packed = await run(NPM, ['pack', '--json', '--pack-destination', folder], { cwd, timeout: 120_000 });
  return join(folder, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]?.filename ?? 'missing.tgz');
}

/** Every file of the installed byteair-sync, as /-separated paths from its root. */
function installedFiles(): string[] {
  return (readdirSync(join(app, 'node_modules/byteair-sync'), { recursive: true }) as string[]).map((f) => f.split(sep).join('/'));
}

beforeAll(async () => {
  assertBuilt();
  folder = mkdtempSync(join(tmpdir(), 'byteair-pack-'));
  app = join(folder, 'app');
  tarball = await pack(PRODUCT_ROOT);
  redis = await startTestRedis('pack');
  emulator = await startEmulator({
    tenants: [{ tenantId: TEST_TENANT_ID, applicationId: TEST_APPLICATION_ID, ak: TEST_AK, sk: TEST_SK }],
    topics: ['item', 'user', 'behavior'],
    dateZone: 'UTC',
    bodyThreads: 0,
  });
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? folder,
    REDIS_URL: redis.url,
    BYTEAIR_REDIS_PREFIX: redis.prefix,
    BYTEAIR_HOSTS: `127.0.0.1:${emulator.port}`,
    BYTEAIR_SCHEME: 'http',
    BYTEAIR_TENANT_ID: TEST_TENANT_ID,
    BYTEAIR_APPLICATION_ID: TEST_APPLICATION_ID,
    BYTEAIR_AK: TEST_AK,
    BYTEAIR_SK: TEST_SK,
    BYTEAIR_DATE_ZONE: 'UTC',
  };
  // An empty folder, as `npm init -y` leaves it; the dependencies come from npm's cache
  // (`npm ci` of this checkout filled it), the registry only for what it lacks.
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'byteair-user-app', version: '1.0.0', private: true, type: 'module' }));
  // @types/node as any TypeScript app on Node has it (the package's types use Buffer and events).
  await sh(NPM, ['install', tarball, '@types/node@20', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error']);
}, 300_000);

afterAll(async () => {
  await emulator?.close();
  await redis?.stop();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

test('the tarball holds the built package, not the sources, tests or benches', () => {
  const root = join(app, 'node_modules/byteair-sync');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; engines: { node: string } };
  expect(manifest.bin['byteair-sync']).toBe('dist/src/cli/bin.js');
  expect(manifest.engines.node).toMatch(/^>=\d+\.\d+/);
  const files = installedFiles();
  expect(files).toContain('dist/src/index.d.ts');
  expect(files).toContain('LICENSE');
  expect(
    files.filter((f) => /^(src|test|bench|workers|dist\/test|dist\/bench)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.endsWith('.map')),
  ).toEqual([]);
});

test('the tarball holds no emulator file: the emulator is its own package', () => {
  const files = installedFiles();
  // The CLI's loader of the emulator's commands (src/cli/commands/emulator-commands) is the product's own.
  const emulatorFiles = files.filter((f) => /(^|\/)(emulator|demo)(\/|$)|private-(redis|cluster)|demo-dataset|id-ledger|network-model/.test(f));
  expect(emulatorFiles).toEqual([]);
  expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(100);
});

test('without the emulator package, `byteair-sync emulator` says what to install and exits 1', async () => {
  const failed = await run(join(app, 'node_modules/.bin/byteair-sync'), ['emulator', '--port', '0'], { cwd: app, env, timeout: 60_000 }).then(
    () => ({ code: 0, stderr: '' }),
    (error: unknown) => error as { code: number; stderr: string },
  );
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/^byteair-sync: EMULATOR_NOT_INSTALLED: "byteair-sync emulator" comes with the byteair-emulator package/);
  const help = await sh(NPM, ['exec', '--no', '--', 'byteair-sync', '--help']);
  expect(help.stdout).toContain('needs the byteair-emulator package');
});

test('installed beside it, the byteair-emulator package brings `byteair-sync emulator` back (the emulator image)', async () => {
  const emulatorTarball = await pack(resolve(PROJECT_ROOT, 'packages', 'byteair-emulator'));
  const rig = join(folder, 'rig');
  await run('mkdir', ['-p', rig]);
  writeFileSync(join(rig, 'package.json'), JSON.stringify({ name: 'byteair-test-rig', version: '1.0.0', private: true, type: 'module' }));
  await run(NPM, ['install', tarball, emulatorTarball, '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error'], {
    cwd: rig,
    env,
    timeout: 180_000,
  });
  const child = spawn(join(rig, 'node_modules/.bin/byteair-sync'), ['emulator', '--port', '0'], { cwd: rig, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const firstLine = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) done(out.slice(0, out.indexOf('\n')));
      });
      child.on('exit', (code) => fail(new Error(`the emulator exited (${String(code)}) before listening`)));
    });
    const { url } = JSON.parse(firstLine) as { url: string };
    const health = await fetch(`${url}/__emulator/health`);
    expect(health.status).toBe(200);
  } finally {
    child.kill('SIGTERM');
  }
});

test('npx byteair-sync --help and --version work from the install', async () => {
  const help = await sh(NPM, ['exec', '--no', '--', 'byteair-sync', '--help']);
  for (const command of ['worker', 'import', 'status', 'dashboard', 'ingest']) expect(help.stdout).toContain(command);
  const version = await sh(NPM, ['exec', '--no', '--', 'byteair-sync', '--version']);
  expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(resolve(PRODUCT_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
});

test('byteair-sync import queues a file and byteair-sync worker uploads it and sends its Done', async () => {
  const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ id: `packed-${i}`, title: `t${i}` }));
  writeFileSync(join(app, 'items.jsonl'), `${lines.join('\n')}\n`);
  const imported = await sh(NPM, [
    'exec',
    '--no',
    '--',
    'byteair-sync',
    'import',
    '--topic',
    'item',
    '--stage',
    'history_sync',
    '--date',
    '2022-02-01',
    '--file',
    'items.jsonl',
    '--seal',
    '--quiet',
  ]);
  expect(imported.stderr).toBe('');

  // The command npx runs, started directly so that SIGTERM reaches it and not npm.
  const worker = spawn(join(app, 'node_modules/.bin/byteair-sync'), ['worker'], {
    cwd: app,
    env: { ...env, BYTEAIR_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  worker.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((done) => worker.on('exit', (code) => done(code)));
  try {
    await eventually(
      () => Promise.resolve(emulator.stats().dones.length > 0 && emulator.ledger('item').size === 25 ? true : undefined),
      'the upload and its Done',
      60_000,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; worker log:\n${log}`);
    });
    expect([...emulator.ledger('item').values()].every((times) => times === 1)).toBe(true);
  } finally {
    worker.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});

test('the TypeScript API from a fresh script: types resolve, the client pushes and reads status', async () => {
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, outDir: 'out' },
      files: ['script.ts'],
    }),
  );
  writeFileSync(
    join(app, 'script.ts'),
    `import { openSyncClient, ConfigError, type SyncStatus } from 'byteair-sync';

const client = openSyncClient();
try {
  const result = await client.stream('behavior').push([{ bhv_id: 'b1' }, { bhv_id: 'b2' }]);
  const status: SyncStatus = await client.status();
  const behavior = status.topics.find((t) => t.topic === 'behavior');
  console.log(JSON.stringify({ accepted: result.accepted, waiting: behavior?.streaming.waiting, isClass: typeof ConfigError === 'function' }));
} finally {
  await client.close();
}
`,
  );
  // tsc --init's settings (skipLibCheck: ioredis's own .d.ts import an untyped module); the
  // script is still checked against the package's types. TypeScript is not a dependency of the
  // package, so this checkout's compiler stands in for the user's.
  await sh(process.execPath, [TSC, '-p', 'tsconfig.json']);
  const out = await sh(process.execPath, ['out/script.js']);
  expect(JSON.parse(out.stdout)).toEqual({ accepted: 2, waiting: 2, isClass: true });

  // The types are really checked: a wrong call does not compile.
  writeFileSync(join(app, 'script.ts'), `import { openSyncClient } from 'byteair-sync';\nawait openSyncClient().stream(42).push([]);\n`);
  await expect(sh(process.execPath, [TSC, '-p', 'tsconfig.json'])).rejects.toThrow("Argument of type 'number' is not assignable to parameter of type 'string'");
});
