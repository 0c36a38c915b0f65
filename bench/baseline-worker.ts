import { Worker } from 'bullmq';
import { ByteairClient, clientOptionsFrom } from 'byteair-sync/internal/src/byteair/client.js';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { createLogger } from 'byteair-sync/internal/src/observability/logger.js';
import { createSyncProcessor, type SyncJobResult } from 'byteair-sync/internal/src/processor/sync-processor.js';
import { DONE_QUEUE, UPLOAD_QUEUE } from 'byteair-sync/internal/src/queue/sync-queue.js';
import { withReleasers } from 'byteair-sync/internal/src/wiring/releasers.js';
import { openSyncGraph } from 'byteair-sync/internal/src/wiring/sync-graph.js';
import { syncProcessorDeps, syncWorkerOptions } from 'byteair-sync/internal/workers/sync-worker.js';
import { noopLimiter } from './harness/noop-limiter.js';

/**
 * `node dist/bench/baseline-worker.js --max <n>`: the throughput bench's baseline. The same
 * graph, processor, client and BullMQ options as workers/sync-worker.ts (upload and done
 * roles), with two swaps: our global limiter becomes a no-op, and BullMQ's own job-count
 * limiter `{max, duration: 1000}` paces the starts instead. Configured by the same
 * environment as `byteair-sync worker`; prints {"event":"ready"} once both workers are.
 */
async function main(): Promise<void> {
  const at = process.argv.indexOf('--max');
  const max = Number(process.argv[at + 1]);
  if (at === -1 || !Number.isSafeInteger(max) || max < 1) throw new Error(`--max must be a whole number of at least 1 (got ${String(process.argv[at + 1])})`);
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, 'byteair-baseline-worker');
  const bullmqLimiter = { max, duration: 1_000 };
  const releasers = await withReleasers(
    async (releasers) => {
      const graph = openSyncGraph(config, { role: 'worker', name: 'byteair-baseline-worker' }, { logger });
      releasers.add(async () => await graph.close());
      await graph.guard.declareModes();
      const api = new ByteairClient(clientOptionsFrom(config, graph.clock, graph.random));
      releasers.add(() => api.close());
      const processor = createSyncProcessor(syncProcessorDeps(graph, api, { limiter: noopLimiter }));
      const workers = [UPLOAD_QUEUE, DONE_QUEUE].map((name) => new Worker<unknown, SyncJobResult>(name, processor, syncWorkerOptions(graph, bullmqLimiter)));
      releasers.add(async () => {
        await Promise.all(workers.map(async (w) => await w.close()));
      });
      for (const worker of workers) worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
      await Promise.all(workers.map(async (w) => await w.waitUntilReady()));
      return releasers;
    },
    (error) => logger.error({ err: error }, 'error while shutting down'),
  );
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid, bullmqLimiter })}\n`);
  const stop = (): void => {
    void releasers.release();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
