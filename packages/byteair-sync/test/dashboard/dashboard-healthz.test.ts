import { startDashboard } from '../../dashboards/dashboard-server.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startPrivateRedis, type PrivateRedis } from 'byteair-emulator';
import { eventually } from '../../../../test/support/eventually.js';
import { call, jsonOf, logIn } from './support/dashboard-http.js';
import { DASHBOARD_PASSWORD, DASHBOARD_USER, LOGIN_ENV } from './support/test-dashboard.js';

// Its own redis-server (even when REDIS_URL is set): the test kills it.
test('/healthz answers 200 while Redis answers and 503 once it is gone; pages then answer 503 REDIS_UNAVAILABLE, not 500', async () => {
  const redis = await startPrivateRedis();
  // The dashboard's own connection (no `redis` option), as in production.
  try {
    await checkHealth(redis);
  } finally {
    await redis.stop().catch(() => undefined);
  }
});

async function checkHealth(redis: PrivateRedis): Promise<void> {
  const config = loadConfig({ REDIS_URL: redis.url, BYTEAIR_LOG_LEVEL: 'silent', BYTEAIR_APPLICATION_ID: '12345678', ...LOGIN_ENV });
  const dashboard = await startDashboard({ config, host: '127.0.0.1', port: 0, sampleIntervalMs: 50 });
  try {
    await eventually(async () => ((await call(dashboard.url, '/healthz')).status === 200 ? true : undefined), '/healthz 200', 5_000, 20);
    const cookie = await logIn(dashboard.url, DASHBOARD_USER, DASHBOARD_PASSWORD);
    expect((await call(dashboard.url, '/api/status', { cookie })).status).toBe(200);

    await redis.kill();
    const down = await eventually(
      async () => {
        const reply = await call(dashboard.url, '/healthz');
        return reply.status === 503 ? reply : undefined;
      },
      '/healthz 503',
      5_000,
      20,
    );
    expect(jsonOf(down)).toEqual({ status: 'redis-unavailable' });
    const status = await call(dashboard.url, '/api/status', { cookie });
    expect(status.status).toBe(503);
    expect(jsonOf(status)).toMatchObject({ error: { code: 'REDIS_UNAVAILABLE' } });
    // The login still works without Redis (sessions are signed, not stored).
    expect((await call(dashboard.url, '/login')).status).toBe(200);
  } finally {
    await dashboard.close();
  }
}
