import type { Command } from 'commander';
import { OFFLINE_STAGES } from '../../byteair/stage.js';
import { systemClock } from '../../clock.js';
import { loadConfig } from '../../config/load-config.js';
import { parseDataDates } from '../../validation/data-dates.js';
import { parseRequestId } from '../../validation/request-id.js';
import { assertStageAllowedForTopic, parseOfflineStage, parseTopic } from '../../validation/sync-target.js';
import { openApiSession } from '../api-session.js';
import { printReport, reportDone } from '../call-report.js';
import { doneCommandRequestId } from '../command-request-id.js';
import { requiredFlag } from '../required-flag.js';
import { runAction } from '../run-action.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

interface DoneOptions {
  readonly topic?: string;
  readonly stage?: string;
  readonly date: readonly string[];
  readonly requestId?: string;
  readonly json?: boolean;
}

const HELP_AFTER = `
Sends one Done call marking the given dates of an offline stage as completely uploaded.
Send it only after every record of those dates was written: the API archives the dates and
refuses further writes to them.

The default request id is a hash of (application, topic, stage, dates), so running the same
command again is idempotent: the API answers 409. For one date it is the id the pipeline
uses for that Done.

Configured by the environment (see README "Configuration"), like "write".

Exit codes: 0 accepted or duplicate (409), 1 the call failed (API error, timeout, network),
2 bad input or configuration.

Example:
  byteair-sync done --topic item --stage history_sync --date 2024-03-01 --date 2024-03-02
`;

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

export function registerDone(program: Command): void {
  const command = program
    .command('done')
    .description('Mark data dates of an offline stage as completely uploaded (one Done call).')
    .option('--topic <topic>', 'topic (required), one of BYTEAIR_TOPICS')
    .option('--stage <stage>', `offline stage (required): ${OFFLINE_STAGES.join(', ')}`)
    .option('--date <date>', 'data date YYYY-MM-DD in BYTEAIR_DATE_ZONE, from 2000-01-01, not in the future (required; repeat for several dates)', collect, [])
    .option('--request-id <id>', 'Request-Id to send instead of the default hash')
    .option('--json', 'print the full result as JSON on stdout (the readable line goes to stderr)')
    .addHelpText('after', HELP_AFTER)
    .action(runAction((options: DoneOptions) => done(options)));
  exitBadInputOnUsageErrors(command);
}

async function done(options: DoneOptions): Promise<number> {
  const config = loadConfig(process.env);
  const topic = parseTopic(requiredFlag(options.topic, '--topic', 'the topic to close'), config.topics, '--topic');
  const stage = parseOfflineStage(requiredFlag(options.stage, '--stage', `one of ${OFFLINE_STAGES.join(', ')}`), '--stage');
  assertStageAllowedForTopic(topic, stage, '--stage');
  const dates = parseDataDates(options.date, config.dateZone, systemClock, '--date');
  const requestId = options.requestId === undefined ? undefined : parseRequestId(options.requestId, '--request-id');

  const session = openApiSession(config);
  try {
    const id = requestId ?? doneCommandRequestId(session.applicationId, topic.name, stage, dates);
    const outcome = await session.client.done({ topic: topic.name, stage, dates, requestId: id, signal: session.signal });
    return printReport(reportDone({ topic: topic.name, stage, dates, requestId: id }, outcome), options.json === true);
  } finally {
    session.close();
  }
}
