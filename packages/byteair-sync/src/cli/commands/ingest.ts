import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { SETTINGS } from '../../config/settings.js';
import { requireIngestToken, startIngestServer } from '../../http/ingest-server.js';
import { createLogger } from '../../observability/logger.js';
import { runAction } from '../run-action.js';
import { stopSignal } from '../stop-signal.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

interface IngestOptions {
  readonly host?: string;
  readonly port?: string;
}

const HELP_AFTER = `
Serves the HTTP ingest API (docs/ingest.md) for backends in other languages: add records to
offline batches and seal them, push streaming records, read status. Every endpoint but
/healthz needs "Authorization: Bearer $BYTEAIR_INGEST_TOKEN"; the command refuses to start
without that setting. A write is answered 202 only once its records are in Redis.

On start one JSON line {"event":"listening","url":...} goes to stdout; SIGINT/SIGTERM stop
taking requests, let those in flight finish, and print {"event":"stopped"}.`;

export function registerIngest(program: Command): void {
  exitBadInputOnUsageErrors(
    program
      .command('ingest')
      .description('Run the HTTP ingest API (bearer token, JSON/NDJSON bodies, 202 once durable). Runs until SIGTERM/SIGINT.')
      .option('--host <host>', `listen address (overrides ${SETTINGS.ingestHost.key}, default ${SETTINGS.ingestHost.default ?? ''})`)
      .option('--port <port>', `listen port, 0 = any free port (overrides ${SETTINGS.ingestPort.key}, default ${SETTINGS.ingestPort.default ?? ''})`)
      .addHelpText('after', HELP_AFTER)
      .action(
        runAction(async (options: IngestOptions) => {
          const overrides: Record<string, string> = {};
          if (options.host !== undefined) overrides[SETTINGS.ingestHost.key] = options.host;
          if (options.port !== undefined) overrides[SETTINGS.ingestPort.key] = options.port;
          const config = loadConfig(process.env, overrides);
          requireIngestToken(config);
          const logger = createLogger(config.logLevel, 'byteair-ingest');
          const server = await startIngestServer(config, { logger });
          process.stdout.write(`${JSON.stringify({ event: 'listening', url: server.url, pid: process.pid })}\n`);
          await stopSignal(() => logger.warn('second signal: exiting now'));
          logger.info('shutting down');
          await server.close();
          process.stdout.write(`${JSON.stringify({ event: 'stopped' })}\n`);
          return 0;
        }),
      ),
  );
}
