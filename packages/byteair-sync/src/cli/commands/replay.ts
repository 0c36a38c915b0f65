import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { systemClock } from '../../clock.js';
import type { Config } from '../../config/config.js';
import { loadConfig } from '../../config/load-config.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { FailedJobView, ReplayFilter } from '../../operations/replay-filter.js';
import { withOperations } from '../operations-session.js';
import { EXIT_CODES_HELP, runAction } from '../run-action.js';
import { filterFlags, type TargetFlags } from '../target-flags.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

interface ReplayFlags extends TargetFlags {
  readonly since?: string;
  readonly until?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

const HELP_AFTER = `
Moves failed jobs (upload chunks and Done calls that failed for good: rejected auth, a
refused stage, attempts used up) back to waiting, with their attempts reset, so each gets
its full retry budget again. The filters combine; with none, every failed job is replayed.
A replayed job sends the same Request-Id as before, so a chunk that did land is answered
409 and applied once. Fix the cause first (credentials, stage order), then replay.

Prints one line per job: queue, job id, topic, stage, date, records, failure time, reason.
--dry-run only lists them.

--since and --until take ISO 8601 times (2024-03-01T08:00:00Z, or 2024-03-01 meaning
midnight); without an offset they are read in BYTEAIR_DATE_ZONE. The range is half-open:
failed at or after --since, before --until.

Configured by the environment (see README "Configuration").

${EXIT_CODES_HELP}

Examples:
  byteair-sync replay --dry-run
  byteair-sync replay --topic item --stage history_sync --date 2024-03-01
  byteair-sync replay --since 2024-03-02T09:00:00Z --until 2024-03-02T10:00:00Z
`;

export function registerReplay(program: Command): void {
  const command = program
    .command('replay')
    .description('Move failed jobs back to waiting with their attempts reset, by topic, stage, date and failure time.')
    .option('--topic <topic>', 'only jobs of this topic')
    .option('--stage <stage>', 'only jobs of this stage (any of the four)')
    .option('--date <date>', 'only jobs of this data date, YYYY-MM-DD')
    .option('--since <time>', 'only jobs that failed at or after this ISO 8601 time')
    .option('--until <time>', 'only jobs that failed before this ISO 8601 time')
    .option('--dry-run', 'list the matching failed jobs; change nothing')
    .option('--json', 'print the jobs as one JSON array on stdout instead of lines')
    .addHelpText('after', HELP_AFTER)
    .action(runAction((flags: ReplayFlags) => runReplay(flags)));
  exitBadInputOnUsageErrors(command);
}

function instant(text: string, flag: string, config: Config): number {
  const time = DateTime.fromISO(text, { zone: config.dateZone });
  if (!time.isValid) throw new InvalidInputError(flag, text, `must be an ISO 8601 time such as 2024-03-01T08:00:00Z (${time.invalidExplanation ?? 'invalid'})`);
  return time.toMillis();
}

function replayFilter(flags: ReplayFlags, config: Config): ReplayFilter {
  const target = filterFlags(flags, config, systemClock);
  const failedFrom = flags.since === undefined ? undefined : instant(flags.since, '--since', config);
  const failedTo = flags.until === undefined ? undefined : instant(flags.until, '--until', config);
  if (failedFrom !== undefined && failedTo !== undefined && failedTo <= failedFrom)
    throw new InvalidInputError('--until', flags.until, `must be after --since (${flags.since ?? ''})`);
  return { ...target, ...(failedFrom === undefined ? {} : { failedFrom }), ...(failedTo === undefined ? {} : { failedTo }) };
}

function jobLine(job: FailedJobView): string {
  const failedAt = job.failedAt === null ? '-' : new Date(job.failedAt).toISOString();
  return [job.queue, job.jobId, job.topic, job.stage, job.date ?? '-', `${job.records} records`, failedAt, job.failedReason.split('\n')[0] ?? ''].join('\t');
}

async function runReplay(flags: ReplayFlags): Promise<number> {
  const config = loadConfig(process.env);
  const filter = replayFilter(flags, config);
  const dryRun = flags.dryRun === true;
  const jobs = await withOperations(config, ({ operations }) => operations.replay(filter, { dryRun }));
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify(jobs)}\n`);
    return 0;
  }
  for (const job of jobs) process.stdout.write(`${jobLine(job)}\n`);
  const summary =
    jobs.length === 0
      ? 'no failed jobs match'
      : dryRun
        ? `dry run: ${jobs.length} failed jobs match; nothing changed (run without --dry-run to replay them)`
        : `replayed ${jobs.length} failed jobs: back to waiting with their attempts reset`;
  process.stdout.write(`${summary}\n`);
  return 0;
}
