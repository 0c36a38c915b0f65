import { openSyncGraph, PRODUCER_CONNECTION } from '../../src/wiring/sync-graph.js';
import { testConfig } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis('graph');
});

afterAll(async () => {
  await redis.stop();
});

describe('openSyncGraph', () => {
  it('refuses a config without an application id before opening a connection', () => {
    const config = testConfig(redis);
    const withoutId = { ...config, api: { ...config.api, applicationId: undefined } };
    expect(() => openSyncGraph(withoutId, PRODUCER_CONNECTION)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', key: 'BYTEAIR_APPLICATION_ID' }) as Error,
    );
  });

  it('leaves a shared connection open when it closes', async () => {
    const shared = redis.client();
    const graph = openSyncGraph(testConfig(redis), PRODUCER_CONNECTION, { redis: shared });
    expect(graph.redis).toBe(shared);
    await graph.queues.upload.waitUntilReady();
    await graph.close();
    expect(await shared.ping()).toBe('PONG');
  });

  it('closes the connection it opened itself', async () => {
    const graph = openSyncGraph(testConfig(redis), PRODUCER_CONNECTION);
    expect(await graph.redis.ping()).toBe('PONG');
    const ended = new Promise<void>((resolve) => graph.redis.once('end', () => resolve()));
    await graph.close();
    await ended;
    expect(graph.redis.status).toBe('end');
  });
});
