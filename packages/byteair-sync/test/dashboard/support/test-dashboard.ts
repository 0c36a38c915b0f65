import { startDashboard, type RunningDashboard } from '../../../dashboards/dashboard-server.js';
import { testConfig } from '../../../../../test/support/pipeline.js';
import type { TestRedis } from '../../../../../test/support/redis.js';

/** Obviously fake dashboard login for tests. */
export const DASHBOARD_USER = 'ops';
export const DASHBOARD_PASSWORD = 'test-dashboard-password-4c1e';
export const LOGIN_ENV: Readonly<Record<string, string>> = { BYTEAIR_DASHBOARD_USER: DASHBOARD_USER, BYTEAIR_DASHBOARD_PASSWORD: DASHBOARD_PASSWORD };

/**
 * A dashboard on 127.0.0.1, any free port, over this file's Redis and prefix, with a login
 * unless `env` says otherwise; the limiter is sampled every 50 ms so charts fill quickly.
 */
export async function startTestDashboard(redis: TestRedis, env: Record<string, string> = LOGIN_ENV): Promise<RunningDashboard> {
  return await startDashboard({ config: testConfig(redis, env), host: '127.0.0.1', port: 0, redis: redis.client(), sampleIntervalMs: 50 });
}
