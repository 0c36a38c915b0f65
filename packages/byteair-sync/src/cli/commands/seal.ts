import type { Command } from 'commander';
import { batchIdOf } from '../../batches/batch-id.js';
import { BatchNotFoundError } from '../../batches/batch-errors.js';
import { systemClock } from '../../clock.js';
import { loadConfig } from '../../config/load-config.js';
import { withOperations } from '../operations-session.js';
import { EXIT_CODES_HELP, runAction } from '../run-action.js';
import { batchFlags, type TargetFlags } from '../target-flags.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

const HELP_AFTER = `
Seals the offline batch of (topic, stage, date): it takes no more records, and its Done is
sent (exactly once) as soon as every chunk is uploaded. Seal a date only when all its
records are imported. Sealing an already sealed batch changes nothing and exits 0.
A batch that does not exist, or holds no records, cannot be sealed (exit 1).

Configured by the environment (see README "Configuration").

${EXIT_CODES_HELP}

Example:
  byteair-sync seal --topic item --stage history_sync --date 2024-03-01
`;

export function registerSeal(program: Command): void {
  const command = program
    .command('seal')
    .description('Seal an offline batch: no more records for this date; its Done goes out once every chunk is uploaded.')
    .option('--topic <topic>', 'topic (required), one of BYTEAIR_TOPICS')
    .option('--stage <stage>', 'offline stage (required): pre_sync, history_sync or incremental_sync_daily')
    .option('--date <date>', 'data date (required), YYYY-MM-DD in BYTEAIR_DATE_ZONE')
    .addHelpText('after', HELP_AFTER)
    .action(runAction((flags: TargetFlags) => runSeal(flags)));
  exitBadInputOnUsageErrors(command);
}

async function runSeal(flags: TargetFlags): Promise<number> {
  const config = loadConfig(process.env);
  const ref = batchFlags(flags, config, systemClock);
  const batchId = batchIdOf(ref);
  return await withOperations(config, async ({ producer, batches }) => {
    // Looked up first: opening it through the producer would create an empty batch that nothing could seal.
    const before = await batches.status(batchId);
    if (before === null) throw new BatchNotFoundError(batchId);
    const counts = `${before.records} records in ${before.chunks} chunks, ${before.settledChunks} uploaded`;
    if (before.state !== 'open') {
      process.stdout.write(`already sealed: ${batchId} is ${before.state} (${counts}); nothing changed\n`);
      return 0;
    }
    const { doneQueued } = await (await producer.batch(ref.topic, ref.stage, ref.date)).seal();
    const next = doneQueued ? 'every chunk is uploaded, so its Done is queued now' : 'its Done is sent once every chunk is uploaded';
    process.stdout.write(`sealed ${batchId} (${counts}); ${next}\n`);
    return 0;
  });
}
