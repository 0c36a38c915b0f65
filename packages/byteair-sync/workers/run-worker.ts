import type { Config } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { startSyncWorker, type WorkerRole } from './sync-worker.js';

/** How long the process may take to end by itself after a completed shutdown. */
const EXIT_GRACE_MS = 1_000;

/**
 * Runs a worker process until SIGTERM or SIGINT, then shuts down gracefully (a second signal
 * forces the exit). Prints one JSON line on stdout once ready, for scripts and tests.
 */
export async function runWorkerProcess(config: Config, roles: readonly WorkerRole[]): Promise<number> {
  const logger = createLogger(config.logLevel, 'byteair-worker');
  const running = await startSyncWorker({ config, roles, logger });
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid, roles, concurrency: config.worker.concurrency })}\n`);
  logger.info({ roles, concurrency: config.worker.concurrency }, 'worker ready');
  const code = await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      running
        .close()
        .then(() => resolve(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  // After a shutdown forced by a Redis outage, reconnect timers of connections BullMQ opened
  // may still hold the event loop; nothing is left to do, so do not let them keep us alive.
  setTimeout(() => {
    logger.warn('connections still open after shutdown: exiting anyway');
    process.exit(code);
  }, EXIT_GRACE_MS).unref();
  return code;
}
