import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DASHBOARD_PASSWORD, DASHBOARD_USER, LOGIN_ENV } from '../../packages/byteair-sync/test/dashboard/support/test-dashboard.js';
import { PAYLOAD_MARKER, startWorkedSystem, type WorkedSystem } from '../../packages/byteair-sync/test/dashboard/support/worked-system.js';
import { testEnv } from '../support/pipeline.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { CLI_PATH } from '../support/run-cli.js';
import { PROJECT_ROOT } from '../support/shared.js';
import { eventually } from '../support/eventually.js';

/**
 * The dashboard as an operator sees it: the built `byteair-sync dashboard` command over a
 * system with real uploads and a held streaming backlog, driven by headless Chromium through
 * the login form, Bull Board's own UI and the status page. Screenshots go to test-artifacts/.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(PROJECT_ROOT, 'test-artifacts');
/** Each browser step; the page is local, so anything slower is a hang, not a slow machine. */
const STEP_MS = 15_000;

function assertPrerequisites(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (the browser test drives Debian's Chromium)`);
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first`);
}

interface DashboardProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** `byteair-sync dashboard --port 0` as deployed: its own Redis connection, a login, a writable board. */
async function startDashboardProcess(redis: TestRedis, system: WorkedSystem): Promise<DashboardProcess> {
  const env = {
    PATH: process.env.PATH ?? '',
    ...system.env,
    ...LOGIN_ENV,
    ...testEnv(redis, { BYTEAIR_LOG_LEVEL: 'warn' }),
  };
  const child = spawn(process.execPath, [CLI_PATH, 'dashboard', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const stop = async (): Promise<void> => await stopChild(child, exited);
  try {
    const line = await eventually(
      () => Promise.resolve(/\{"event":"listening".*\}/.exec(stdout)?.[0] ?? failedStart(child, stderr)),
      'the dashboard listening line',
      20_000,
      50,
    );
    return { url: (JSON.parse(line) as { url: string }).url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function failedStart(child: ChildProcess, stderr: string): undefined {
  if (child.exitCode !== null) throw new Error(`the dashboard exited with ${child.exitCode}: ${stderr}`);
  return undefined;
}

/** SIGTERM, then SIGKILL if it has not stopped within 5 s, so no child outlives the test. */
async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

let redis: TestRedis | undefined;
let system: WorkedSystem | undefined;
let dashboard: DashboardProcess | undefined;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  assertPrerequisites();
  await mkdir(ARTIFACTS, { recursive: true });
  redis = await startTestRedis('dash-browser');
  system = await startWorkedSystem(redis);
  dashboard = await startDashboardProcess(redis, system);
  // Chromium refuses to start its sandbox as root (CI containers, this box): --no-sandbox; the page is our own.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(STEP_MS);
  page = await context.newPage();
}, 90_000);

// Reverse order of start; each step runs even when an earlier one fails.
afterAll(async () => {
  const steps = [async () => await browser?.close(), async () => await dashboard?.stop(), async () => await system?.stop(), async () => await redis?.stop()];
  const errors: unknown[] = [];
  for (const step of steps) await step().catch((error: unknown) => errors.push(error));
  if (errors.length > 0) throw new AggregateError(errors, 'closing the browser test');
});

test('a browser logs in through the form, sees both queues in Bull Board and the per-topic status with its chart', async () => {
  const url = dashboard?.url ?? '';
  await page.goto(`${url}/status`);
  // The login wall, not the page: the form keeps where the browser was going.
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('#user', DASHBOARD_USER);
  await page.fill('#password', DASHBOARD_PASSWORD);
  await Promise.all([page.waitForURL(`${url}/status`), page.click('button[type=submit]')]);

  const topics = page.locator('table#topics tbody tr');
  expect(await topics.locator('th').allTextContents()).toEqual(expect.arrayContaining(['item', 'user', 'behavior']));
  // The behavior stream is held until the first daily Done: 7 records wait.
  const behavior = topics.filter({ has: page.locator('th', { hasText: 'behavior' }) });
  expect(await behavior.textContent()).toContain('held');
  expect(await behavior.locator('td.num').first().textContent()).toBe('7');
  // user history_sync sits behind its open pre_sync.
  expect(await topics.filter({ has: page.locator('th', { hasText: 'user' }) }).textContent()).toContain('history_sync: 2');
  const batches = page.locator('table#batches tbody');
  expect(await batches.textContent()).toContain('item/pre_sync/2022-01-01');
  expect(await batches.textContent()).toContain('done-acked');
  // The chart is inline SVG drawn from the limiter samples the dashboard took since it started.
  const chart = page.locator('.chart svg[role=img]');
  await chart.waitFor();
  expect(await chart.locator('polyline').count()).toBeGreaterThan(0);
  expect(await page.content()).not.toContain(PAYLOAD_MARKER);
  await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard-status.png'), fullPage: true });

  await page.click('nav a[href="/board/"]');
  await page.waitForURL(`${url}/board/`);
  // Bull Board renders in the browser from its JSON API: wait for both queue cards.
  for (const queue of ['upload', 'done']) await page.getByRole('link', { name: queue, exact: true }).first().waitFor();
  await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard-board.png'), fullPage: true });
  await page.getByRole('link', { name: 'upload', exact: true }).first().click();
  await page.waitForURL(/\/board\/queue\/upload/);
  await page.getByText('item/pre_sync/2022-01-01').first().waitFor();
  expect(await page.content()).not.toContain(PAYLOAD_MARKER);
  await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard-board-upload.png'), fullPage: true });
}, 60_000);
