import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { withOperations } from '../operations-session.js';
import { EXIT_CODES_HELP, runAction } from '../run-action.js';
import { formatStatus } from '../status-report.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

const HELP_AFTER = `
One reading of the whole system from Redis. Per topic: its mode (daily-then-streaming or
streaming-only) and stage order; per offline stage the batches by state, records,
accepted, rejected (refused by the API; see "rejected export"), chunks failed for good
(see "replay") and upload jobs held by the stage guard; the unfinished batches with their
upload progress; and the streaming intake: held or flowing, backlog waiting, chunks in
flight. Above them: queue counts (and whether paused), limiter use in the last second
against the ceilings, and the circuit breaker.

--json prints the SyncStatus object instead (the fields are documented in
src/operations/sync-status.ts; times are epoch milliseconds).

Configured by the environment (see README "Configuration").

${EXIT_CODES_HELP}

Examples:
  byteair-sync status
  byteair-sync status --json | jq '.topics[] | {topic, waiting: .streaming.waiting}'
`;

export function registerStatus(program: Command): void {
  const command = program
    .command('status')
    .description(
      'Show per topic: mode, stages, unfinished batches with progress, daily freshness, streaming backlog; and queues, limiter use, circuit, Redis memory.',
    )
    .option('--json', 'print the full status as JSON')
    .addHelpText('after', HELP_AFTER)
    .action(
      runAction(async (flags: { json?: boolean }) => {
        const config = loadConfig(process.env);
        const status = await withOperations(config, ({ operations }) => operations.status());
        process.stdout.write(flags.json === true ? `${JSON.stringify(status)}\n` : `${formatStatus(status, config.dateZone).join('\n')}\n`);
        return 0;
      }),
    );
  exitBadInputOnUsageErrors(command);
}
