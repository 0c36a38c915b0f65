import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { withOperations } from '../operations-session.js';
import { EXIT_CODES_HELP, runAction } from '../run-action.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

const HELP_AFTER = `
Pause and resume act on the shared upload and done queues, so they reach every worker on
every machine. Pausing loses nothing: producers keep adding, jobs keep waiting, and a job a
worker is running finishes. Both are idempotent.

Configured by the environment (see README "Configuration").

${EXIT_CODES_HELP}
`;

export function registerPause(program: Command): void {
  const command = program
    .command('pause')
    .description('Stop all workers from taking new upload and Done jobs (jobs in flight finish).')
    .addHelpText('after', `${HELP_AFTER}\nExample:\n  byteair-sync pause && byteair-sync status\n`)
    .action(
      runAction(async () => {
        await withOperations(loadConfig(process.env), ({ operations }) => operations.pause());
        process.stdout.write('paused: workers take no new upload or Done jobs; jobs in flight finish. Resume with: byteair-sync resume\n');
        return 0;
      }),
    );
  exitBadInputOnUsageErrors(command);
}

export function registerResume(program: Command): void {
  const command = program
    .command('resume')
    .description('Let workers take upload and Done jobs again after a pause.')
    .addHelpText('after', `${HELP_AFTER}\nExample:\n  byteair-sync resume\n`)
    .action(
      runAction(async () => {
        await withOperations(loadConfig(process.env), ({ operations }) => operations.resume());
        process.stdout.write('resumed: workers take upload and Done jobs again\n');
        return 0;
      }),
    );
  exitBadInputOnUsageErrors(command);
}
