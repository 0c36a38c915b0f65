import { startIngestServer, type RunningIngestServer } from '../../../src/http/ingest-server.js';
import { testConfig, testPipeline, type TestPipeline } from '../../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../../test/support/redis.js';

/** What an ingest test file runs against: its own Redis, the ingest server on a free port, and a pipeline to read Redis back. */
export interface IngestRig {
  readonly redis: TestRedis;
  readonly server: RunningIngestServer;
  readonly pipeline: TestPipeline;
}

/** Starts the rig before the file's tests and stops it after them; its fields are set once beforeAll has run. */
export function useIngestRig(name: string, env: Readonly<Record<string, string>>): IngestRig {
  const rig = {} as { redis: TestRedis; server: RunningIngestServer; pipeline: TestPipeline };
  beforeAll(async () => {
    rig.redis = await startTestRedis(name);
    rig.server = await startIngestServer(testConfig(rig.redis, env), { host: '127.0.0.1', port: 0 });
    rig.pipeline = testPipeline(rig.redis, env);
  });
  afterAll(async () => {
    await rig.server.close();
    await rig.pipeline.close();
    await rig.redis.stop();
  });
  return rig;
}
