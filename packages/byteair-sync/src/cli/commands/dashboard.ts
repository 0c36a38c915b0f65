import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { SETTINGS } from '../../config/settings.js';
import { createLogger } from '../../observability/logger.js';
import { startDashboard } from '../../../dashboards/dashboard-server.js';
import { runAction } from '../run-action.js';
import { stopSignal } from '../stop-signal.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

interface DashboardOptions {
  readonly host?: string;
  readonly port?: string;
}

const HELP_AFTER = `
Serves Bull Board (both queues; read-only with ${SETTINGS.dashboardReadOnly.key}=true), the
sync status page (/status, /api/status) and Prometheus metrics (/metrics). See docs/dashboard.md.
With ${SETTINGS.dashboardUser.key} and ${SETTINGS.dashboardPassword.key} every page but /healthz
needs a login; without them the dashboard serves loopback only and refuses any other address.

On start one JSON line {"event":"listening","url":...} goes to stdout; SIGINT/SIGTERM stop
it and print {"event":"stopped"}.`;

export function registerDashboard(program: Command): void {
  exitBadInputOnUsageErrors(
    program
      .command('dashboard')
      .description('Run the dashboard: Bull Board behind a login, the sync status page and /metrics. Runs until SIGTERM/SIGINT.')
      .option('--host <host>', `listen address (overrides ${SETTINGS.dashboardHost.key}, default ${SETTINGS.dashboardHost.default ?? ''})`)
      .option('--port <port>', `listen port, 0 = any free port (overrides ${SETTINGS.dashboardPort.key}, default ${SETTINGS.dashboardPort.default ?? ''})`)
      .addHelpText('after', HELP_AFTER)
      .action(
        runAction(async (options: DashboardOptions) => {
          const overrides: Record<string, string> = {};
          if (options.host !== undefined) overrides[SETTINGS.dashboardHost.key] = options.host;
          if (options.port !== undefined) overrides[SETTINGS.dashboardPort.key] = options.port;
          const config = loadConfig(process.env, overrides);
          const logger = createLogger(config.logLevel, 'byteair-dashboard');
          const dashboard = await startDashboard({ config, logger });
          process.stdout.write(`${JSON.stringify({ event: 'listening', url: dashboard.url, pid: process.pid })}\n`);
          await stopSignal(() => logger.warn('second signal: exiting now'));
          logger.info('shutting down');
          await dashboard.close();
          process.stdout.write(`${JSON.stringify({ event: 'stopped' })}\n`);
          return 0;
        }),
      ),
  );
}
