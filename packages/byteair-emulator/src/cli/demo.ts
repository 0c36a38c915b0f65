import type { Command } from 'commander';
import { InvalidInputError } from 'byteair-sync/internal/src/errors/invalid-input-error.js';
import { runDemo } from '../demo/run-demo.js';
import { startDashboard } from 'byteair-sync/internal/dashboards/dashboard-server.js';
import { runAction } from 'byteair-sync/internal/src/cli/run-action.js';

function positiveNumber(flag: string, text: string, max: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > max) throw new InvalidInputError(flag, text, `must be a number above 0 and at most ${max}`);
  return value;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run everything on this machine (private Redis, the ByteAir emulator, a worker, the dashboard) and send a generated item/user/behavior dataset through every stage in order: pre_sync (2 dates), history_sync (30 dates), incremental_sync_daily (1 date) and streaming. Ends with a reconciliation table and the dashboard URL. Needs redis-server installed; touches no existing Redis.',
    )
    .option('--scale <factor>', 'multiply the records per date', '1')
    .option('--streaming-seconds <s>', 'how long streaming records are pushed', '30')
    .option('--dashboard-port <port>', 'dashboard port (0 = any free port)', '0')
    .option('--exit', 'exit after the reconciliation table instead of keeping the dashboard up until Ctrl-C')
    .action(
      runAction(async (options: { scale: string; streamingSeconds: string; dashboardPort: string; exit?: boolean }) => {
        const port = Number(options.dashboardPort);
        if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidInputError('--dashboard-port', options.dashboardPort, 'must be 0-65535');
        return await runDemo({
          scale: positiveNumber('--scale', options.scale, 100),
          streamingSeconds: positiveNumber('--streaming-seconds', options.streamingSeconds, 3_600),
          exitWhenDone: options.exit === true,
          dashboardPort: port,
          out: process.stdout,
          // The demo's config carries a generated login, so the dashboard is safe on its port.
          startDashboard: async (config) => await startDashboard({ config }),
        });
      }),
    );
}
