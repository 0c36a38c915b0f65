import { startDashboard, type RunningDashboard } from '../../dashboards/dashboard-server.js';
import type { Clock } from '../../src/clock.js';
import { testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { basicAuth, call, FORM_TYPE, formBody, sessionCookieOf, type Reply } from './support/dashboard-http.js';
import { DASHBOARD_PASSWORD, DASHBOARD_USER, LOGIN_ENV } from './support/test-dashboard.js';

/**
 * The login throttles over real HTTP on loopback. The tests play the reverse proxy: every
 * request comes from 127.0.0.1 and names the client it "forwards" in X-Forwarded-For. Each
 * test has its own dashboard (the throttles are per process) and a clock it moves by hand, so
 * the user-name delays are waited out without sleeping.
 */

let redis: TestRedis;
const running: RunningDashboard[] = [];

beforeAll(async () => {
  redis = await startTestRedis('dash-throttle');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map(async (dashboard) => await dashboard.close()));
});
afterAll(async () => {
  await redis.stop();
});

/** Real time plus whatever the test has skipped ahead. */
function skippingClock(): Clock & { skip(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, skip: (ms) => (offset += ms) };
}

async function dashboardWith(env: Record<string, string>, clock: Clock): Promise<string> {
  const dashboard = await startDashboard({ config: testConfig(redis, { ...LOGIN_ENV, ...env }), host: '127.0.0.1', port: 0, redis: redis.client(), clock });
  running.push(dashboard);
  return dashboard.url;
}

const BEHIND_PROXY = { BYTEAIR_DASHBOARD_TRUSTED_PROXIES: '127.0.0.1' };

async function login(url: string, user: string, password: string, forwardedFor?: string): Promise<Reply> {
  const headers = forwardedFor === undefined ? FORM_TYPE : { ...FORM_TYPE, 'x-forwarded-for': forwardedFor };
  return await call(url, '/login', { method: 'POST', headers, body: formBody({ user, password }) });
}

/** A fresh forwarded address per call: 198.51.100.1, .2, ... */
function addressSource(): () => string {
  let n = 0;
  return () => `198.51.100.${(n += 1)}`;
}

test('behind a trusted proxy the address throttle is per forwarded client: an attacker throttled at A does not stop the real user at B', async () => {
  const url = await dashboardWith(BEHIND_PROXY, skippingClock());
  const attacker = '203.0.113.66';
  // Other user names, so only the attacker's address collects failures. The attacker also
  // writes its own X-Forwarded-For, different each time; the proxy appends the real address.
  for (let i = 0; i < 5; i += 1) {
    expect((await login(url, `admin${i}`, 'guess', `10.9.9.${i}, ${attacker}`)).status).toBe(401);
  }
  const throttled = await login(url, DASHBOARD_USER, DASHBOARD_PASSWORD, `10.9.9.99, ${attacker}`);
  expect(throttled.status).toBe(429);
  expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(59);

  const real = await login(url, DASHBOARD_USER, DASHBOARD_PASSWORD, '192.0.2.10');
  expect(real.status).toBe(303);
  expect(sessionCookieOf(real)).toBeDefined();
});

test('guesses for one user name from many forwarded addresses get a growing Retry-After; the real user gets in once it has passed, and that clears it', async () => {
  const clock = skippingClock();
  const url = await dashboardWith(BEHIND_PROXY, clock);
  const nextAddress = addressSource();
  for (let i = 0; i < 3; i += 1) expect((await login(url, DASHBOARD_USER, `guess-${i}`, nextAddress())).status).toBe(401);

  const retryAfters: number[] = [];
  for (let round = 0; round < 4; round += 1) {
    const delayed = await login(url, DASHBOARD_USER, `guess-x${round}`, nextAddress());
    expect(delayed.status).toBe(429);
    const seconds = Number(delayed.headers['retry-after']);
    retryAfters.push(seconds);
    clock.skip(seconds * 1_000);
    // Once the delay has passed the next guess is checked (401) and doubles it.
    expect((await login(url, DASHBOARD_USER, `guess-y${round}`, nextAddress())).status).toBe(401);
  }
  expect(retryAfters).toEqual([1, 2, 4, 8]);

  // The real user, too, waits (it is per user name, wherever the request comes from) ...
  const waiting = await login(url, DASHBOARD_USER, DASHBOARD_PASSWORD, nextAddress());
  expect(waiting.status).toBe(429);
  expect(Number(waiting.headers['retry-after'])).toBe(16);
  // ... but only for the delay: it is no lock.
  clock.skip(16_000);
  const real = await login(url, DASHBOARD_USER, DASHBOARD_PASSWORD, nextAddress());
  expect(real.status).toBe(303);
  // The success cleared the count: two wrong guesses are checked again without any delay.
  for (let i = 0; i < 2; i += 1) expect((await login(url, DASHBOARD_USER, `again-${i}`, nextAddress())).status).toBe(401);
  expect((await login(url, DASHBOARD_USER, DASHBOARD_PASSWORD, nextAddress())).status).toBe(303);
});

test('a delayed login answers the same for a user name that exists and one that does not', async () => {
  const url = await dashboardWith(BEHIND_PROXY, skippingClock());
  const nextAddress = addressSource();
  const answers: string[] = [];
  for (const user of [DASHBOARD_USER, 'nobody']) {
    for (let i = 0; i < 3; i += 1) expect((await login(url, user, 'guess', nextAddress())).status).toBe(401);
    const delayed = await login(url, user, 'guess', nextAddress());
    expect(delayed.status).toBe(429);
    expect(delayed.headers['retry-after']).toBe('1');
    answers.push(delayed.text);
  }
  expect(answers[0]).toContain('Too many failed logins; try again in 1 s.');
  expect(answers[1]).toBe(answers[0]);
});

test('HTTP Basic guesses count toward the user name as well, and its delay holds Basic back too', async () => {
  const url = await dashboardWith(BEHIND_PROXY, skippingClock());
  const nextAddress = addressSource();
  const basic = async (password: string): Promise<number> =>
    (await call(url, '/metrics', { headers: { ...basicAuth(DASHBOARD_USER, password), 'x-forwarded-for': nextAddress() } })).status;
  for (let i = 0; i < 3; i += 1) expect(await basic(`guess-${i}`)).toBe(401);
  // Delayed: even the right password is not checked, on either way in.
  expect(await basic(DASHBOARD_PASSWORD)).toBe(401);
  const form = await login(url, DASHBOARD_USER, DASHBOARD_PASSWORD, nextAddress());
  expect(form.status).toBe(429);
  expect(form.headers['retry-after']).toBe('1');
});

test.each([
  ['no trusted proxies', {}],
  ['trusted proxies that do not include the peer', { BYTEAIR_DASHBOARD_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8' }],
])(
  'with %s X-Forwarded-For is ignored: a new forwarded address per guess does not escape the address throttle',
  async (_label, env: Record<string, string>) => {
    const url = await dashboardWith(env, skippingClock());
    const nextAddress = addressSource();
    for (let i = 0; i < 5; i += 1) expect((await login(url, `admin${i}`, 'guess', nextAddress())).status).toBe(401);
    const throttled = await login(url, DASHBOARD_USER, DASHBOARD_PASSWORD, nextAddress());
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(59);
  },
);
