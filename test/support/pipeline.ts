import { systemClock, type Clock } from 'byteair-sync/internal/src/clock.js';
import type { Config } from 'byteair-sync/internal/src/config/config.js';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { intakeOn } from 'byteair-sync/internal/src/operations/open-operations.js';
import type { StreamIntake } from 'byteair-sync/internal/src/streaming/stream-intake.js';
import { openSyncGraph, PRODUCER_CONNECTION, type SyncGraph } from 'byteair-sync/internal/src/wiring/sync-graph.js';
import type { TestRedis } from './redis.js';

/** Obviously fake credentials for tests; never real ones. */
export const TEST_TENANT_ID = '2100021';
export const TEST_APPLICATION_ID = '12345678';
export const TEST_AK = 'AKLTtestAccessKeyId000000000000000';
export const TEST_SK = 'TestSecretAccessKey/with+chars==';
export const TEST_TOKEN = 'b6a0test5f2c4e9d8a7b1c3d5e7f9a0b';

/** How a config reaches an emulator started in the test process: its host and plain HTTP. */
export function emulatorEnv(emulator: { readonly url: string }): Record<string, string> {
  return { BYTEAIR_HOSTS: emulator.url.replace('http://', ''), BYTEAIR_SCHEME: 'http' };
}

/** The environment of a test process: this file's Redis and key prefix, fake credentials, quiet logs, plus overrides. */
export function testEnv(redis: TestRedis, env: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    BYTEAIR_REDIS_PREFIX: redis.prefix,
    BYTEAIR_TENANT_ID: TEST_TENANT_ID,
    BYTEAIR_APPLICATION_ID: TEST_APPLICATION_ID,
    BYTEAIR_AK: TEST_AK,
    BYTEAIR_SK: TEST_SK,
    BYTEAIR_LOG_LEVEL: 'silent',
    ...env,
  };
}

/** A config for tests: testEnv's settings, loaded. */
export function testConfig(redis: TestRedis, env: Record<string, string> = {}): Config {
  return loadConfig(testEnv(redis, env));
}

/** The graph the composition roots build, plus the streaming intake on it. */
export interface TestPipeline extends SyncGraph {
  readonly intake: StreamIntake;
}

/** The Redis-side pieces of the pipeline, from the graph the composition roots build, on the test's connection. */
export function testPipeline(testRedis: TestRedis, env: Record<string, string> = {}, clock: Clock = systemClock): TestPipeline {
  const graph = openSyncGraph(testConfig(testRedis, env), PRODUCER_CONNECTION, { redis: testRedis.client(), clock });
  return { ...graph, intake: intakeOn(graph) };
}
