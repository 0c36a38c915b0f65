import { startDashboard, type RunningDashboard } from '../../dashboards/dashboard-server.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { testConfig } from '../../../../test/support/pipeline.js';
import { eventually } from '../../../../test/support/eventually.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { basicAuth, call, FORM_TYPE, formBody, jsonOf, logIn, sessionCookieOf } from './support/dashboard-http.js';
import { DASHBOARD_PASSWORD, DASHBOARD_USER, LOGIN_ENV, startTestDashboard } from './support/test-dashboard.js';

let redis: TestRedis;
let dashboard: RunningDashboard;

beforeAll(async () => {
  redis = await startTestRedis('dash-auth');
  dashboard = await startTestDashboard(redis);
});
afterAll(async () => {
  await dashboard.close();
  await redis.stop();
});

describe('where the dashboard may listen', () => {
  test('0.0.0.0 without a login is refused with CONFIG_INVALID naming BYTEAIR_DASHBOARD_HOST, before any Redis connection', async () => {
    // Nothing listens on port 1: had the dashboard connected first, this would hang or fail differently.
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', BYTEAIR_LOG_LEVEL: 'silent' });
    const refusal = startDashboard({ config, host: '0.0.0.0', port: 0 });
    await expect(refusal).rejects.toBeInstanceOf(ConfigError);
    await expect(refusal).rejects.toMatchObject({ code: 'CONFIG_INVALID', key: 'BYTEAIR_DASHBOARD_HOST' });
    await expect(refusal).rejects.toThrow(/BYTEAIR_DASHBOARD_USER \/ BYTEAIR_DASHBOARD_PASSWORD are not set/);
  });

  test('the host from BYTEAIR_DASHBOARD_HOST is checked the same way', async () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', BYTEAIR_LOG_LEVEL: 'silent', BYTEAIR_DASHBOARD_HOST: '::' });
    await expect(startDashboard({ config, port: 0 })).rejects.toMatchObject({ code: 'CONFIG_INVALID', key: 'BYTEAIR_DASHBOARD_HOST' });
  });

  test('with a login, a non-loopback address is allowed', async () => {
    const open = await startDashboard({ config: testConfig(redis, LOGIN_ENV), host: '0.0.0.0', port: 0, redis: redis.client() });
    try {
      expect(new URL(open.url).hostname).toBe('0.0.0.0');
      const local = `http://127.0.0.1:${new URL(open.url).port}`;
      // Its fresh Redis connection may still be connecting (503) for a moment.
      await eventually(async () => ((await call(local, '/healthz')).status === 200 ? true : undefined), '/healthz to answer 200', 5_000, 20);
      expect((await call(local, '/api/status')).status).toBe(401);
    } finally {
      await open.close();
    }
  });

  test('without a login on loopback it serves, but only requests addressed to a loopback name (DNS rebinding)', async () => {
    const bare = await startTestDashboard(redis, {});
    try {
      expect((await call(bare.url, '/api/status')).status).toBe(200);
      expect((await call(bare.url, '/api/status', { headers: { host: `localhost:${new URL(bare.url).port}` } })).status).toBe(200);
      const rebound = await call(bare.url, '/api/status', { headers: { host: 'evil.example' } });
      expect(rebound.status).toBe(421);
      expect(jsonOf(rebound)).toMatchObject({ error: { code: 'HOST_NOT_ALLOWED' } });
    } finally {
      await bare.close();
    }
  });
});

describe('without a session', () => {
  test('a page sends the browser to the login form, remembering where it was going', async () => {
    const reply = await call(dashboard.url, '/status');
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/login?next=%2Fstatus');
    const form = await call(dashboard.url, reply.headers.location ?? '');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form class="login" method="post" action="/login">');
    expect(form.text).toContain('name="next" value="/status"');
  });

  test.each(['/api/status', '/api/limiter-history', '/metrics', '/board/api/queues'])('%s answers 401 LOGIN_REQUIRED, no data', async (path) => {
    const reply = await call(dashboard.url, path);
    expect(reply.status).toBe(401);
    expect(jsonOf(reply)).toMatchObject({ error: { code: 'LOGIN_REQUIRED' } });
    expect(reply.text).not.toContain('queues');
  });

  test('the Bull Board page redirects to the login too', async () => {
    const reply = await call(dashboard.url, '/board/');
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/login?next=%2Fboard%2F');
  });

  test('/healthz stays open (for load balancers) and says nothing but the state', async () => {
    const reply = await call(dashboard.url, '/healthz');
    expect(reply.status).toBe(200);
    expect(jsonOf(reply)).toEqual({ status: 'ok' });
  });

  test('a forged or altered session cookie is refused', async () => {
    const cookie = await logIn(dashboard.url, DASHBOARD_USER, DASHBOARD_PASSWORD);
    const [name, token = ''] = cookie.split('=');
    const [payload = '', signature = ''] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ u: 'root', i: 'x', e: Date.now() + 1e9 })).toString('base64url');
    for (const bad of [`${forgedPayload}.${signature}`, `${payload}.${signature.slice(0, -2)}AA`, 'garbage', '']) {
      expect((await call(dashboard.url, '/api/status', { cookie: `${name ?? ''}=${bad}` })).status).toBe(401);
    }
  });

  test('HTTP Basic with the login opens /metrics and /api/status (for Prometheus), a wrong one gets 401 with a challenge', async () => {
    expect((await call(dashboard.url, '/metrics', { headers: basicAuth(DASHBOARD_USER, DASHBOARD_PASSWORD) })).status).toBe(200);
    expect((await call(dashboard.url, '/api/status', { headers: basicAuth(DASHBOARD_USER, DASHBOARD_PASSWORD) })).status).toBe(200);
    const wrong = await call(dashboard.url, '/metrics', { headers: basicAuth(DASHBOARD_USER, 'nope') });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('Basic realm=');
    // Basic is for machine endpoints only: it opens no page and no Bull Board API.
    expect((await call(dashboard.url, '/board/api/queues', { headers: basicAuth(DASHBOARD_USER, DASHBOARD_PASSWORD) })).status).toBe(401);
  });
});

describe('logging in', () => {
  test('the right login sets an HttpOnly, SameSite=Strict session cookie and goes to `next`', async () => {
    const reply = await call(dashboard.url, '/login', {
      method: 'POST',
      headers: FORM_TYPE,
      body: formBody({ user: DASHBOARD_USER, password: DASHBOARD_PASSWORD, next: '/board/' }),
    });
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/board/');
    expect(reply.setCookies).toHaveLength(1);
    const flags = (reply.setCookies[0] ?? '').split(';').map((part) => part.trim());
    expect(flags).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${12 * 60 * 60}`]));
    // Plain HTTP on loopback: a Secure cookie would never come back.
    expect(flags).not.toContain('Secure');
    const cookie = sessionCookieOf(reply) ?? '';
    expect((await call(dashboard.url, '/api/status', { cookie })).status).toBe(200);
    // The password never appears in the cookie.
    expect(Buffer.from(cookie.split('=')[1]?.split('.')[0] ?? '', 'base64url').toString()).not.toContain(DASHBOARD_PASSWORD);
  });

  test('behind an HTTPS proxy (X-Forwarded-Proto: https) the cookie is also Secure', async () => {
    const reply = await call(dashboard.url, '/login', {
      method: 'POST',
      headers: { ...FORM_TYPE, 'x-forwarded-proto': 'https' },
      body: formBody({ user: DASHBOARD_USER, password: DASHBOARD_PASSWORD }),
    });
    expect(reply.status).toBe(303);
    expect(reply.setCookies[0]).toMatch(/; Secure$/);
  });

  test('`next` never leads off the site (open redirect)', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const reply = await call(dashboard.url, '/login', {
        method: 'POST',
        headers: FORM_TYPE,
        body: formBody({ user: DASHBOARD_USER, password: DASHBOARD_PASSWORD, next }),
      });
      expect(reply.headers.location).toBe('/');
    }
  });

  test('logout revokes the session at once, even for a copy of the cookie', async () => {
    const cookie = await logIn(dashboard.url, DASHBOARD_USER, DASHBOARD_PASSWORD);
    const out = await call(dashboard.url, '/logout', { method: 'POST', cookie });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login');
    expect(out.setCookies[0]).toContain('Max-Age=0');
    expect((await call(dashboard.url, '/api/status', { cookie })).status).toBe(401);
  });

  test('a wrong user or password gets the form again with 401, and after 5 failures the address is throttled (429, Retry-After) even with the right password', async () => {
    // Its own dashboard: the throttle is per process and per address, and every test here comes from 127.0.0.1.
    const own = await startTestDashboard(redis);
    try {
      const attempts = [
        { user: DASHBOARD_USER, password: 'wrong' },
        { user: 'admin', password: DASHBOARD_PASSWORD },
        { user: '', password: '' },
        { user: DASHBOARD_USER, password: `${DASHBOARD_PASSWORD} ` },
        { user: DASHBOARD_USER.toUpperCase(), password: DASHBOARD_PASSWORD },
      ];
      for (const attempt of attempts) {
        const reply = await call(own.url, '/login', { method: 'POST', headers: FORM_TYPE, body: formBody(attempt) });
        expect(reply.status).toBe(401);
        expect(reply.text).toContain('Wrong user or password.');
        expect(reply.setCookies).toEqual([]);
      }
      const throttled = await call(own.url, '/login', {
        method: 'POST',
        headers: FORM_TYPE,
        body: formBody({ user: DASHBOARD_USER, password: DASHBOARD_PASSWORD }),
      });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(59);
      expect(throttled.text).toContain('Too many failed logins');
      expect(throttled.setCookies).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

describe('state changes must come from the dashboard itself (CSRF)', () => {
  test('a login POST without Origin or Referer, or from another site, is refused 403', async () => {
    const body = formBody({ user: DASHBOARD_USER, password: DASHBOARD_PASSWORD });
    for (const origin of [null, 'http://evil.example', 'null']) {
      const reply = await call(dashboard.url, '/login', { method: 'POST', headers: FORM_TYPE, body, origin });
      expect(reply.status).toBe(403);
      expect(reply.setCookies).toEqual([]);
    }
    // A Referer naming this host is enough (older browsers send no Origin on a same-origin form).
    const referred = await call(dashboard.url, '/login', { method: 'POST', headers: { ...FORM_TYPE, referer: `${dashboard.url}/login` }, body, origin: null });
    expect(referred.status).toBe(303);
  });

  test('a Bull Board action with a valid session but a foreign Origin is refused 403 before it reaches the board', async () => {
    const cookie = await logIn(dashboard.url, DASHBOARD_USER, DASHBOARD_PASSWORD);
    const reply = await call(dashboard.url, '/board/api/queues/upload/pause', { method: 'PUT', cookie, origin: 'http://evil.example' });
    expect(reply.status).toBe(403);
    expect(jsonOf(reply)).toMatchObject({ error: { code: 'CROSS_ORIGIN_REFUSED' } });
    const status = jsonOf<{ queues: { upload: { paused: boolean } } }>(await call(dashboard.url, '/api/status', { cookie }));
    expect(status.queues.upload.paused).toBe(false);
  });

  test('a logout from another site does not log the user out', async () => {
    const cookie = await logIn(dashboard.url, DASHBOARD_USER, DASHBOARD_PASSWORD);
    expect((await call(dashboard.url, '/logout', { method: 'POST', cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await call(dashboard.url, '/api/status', { cookie })).status).toBe(200);
  });
});

test('every answer forbids framing and sniffing, is not cached, and the pages allow no inline script', async () => {
  const reply = await call(dashboard.url, '/login');
  expect(reply.headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  expect(reply.headers['content-security-policy']).toContain("script-src 'self'");
  expect(reply.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(reply.headers['x-powered-by']).toBeUndefined();
});
