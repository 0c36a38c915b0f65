import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { gzipJsonText } from '../../byteair/payload.js';
import { STAGES, STREAMING_STAGE } from '../../byteair/stage.js';
import { systemClock } from '../../clock.js';
import { loadConfig } from '../../config/load-config.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { parseRecordFile, recordFileFormat } from '../../validation/record-file.js';
import { parseRequestId } from '../../validation/request-id.js';
import { assertStageAllowedForTopic, parseDataDate, parseStage, parseTopic } from '../../validation/sync-target.js';
import { openApiSession } from '../api-session.js';
import { printReport, reportWrite } from '../call-report.js';
import { writeCommandRequestId } from '../command-request-id.js';
import { requiredFlag } from '../required-flag.js';
import { runAction } from '../run-action.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

interface WriteOptions {
  readonly topic?: string;
  readonly stage?: string;
  readonly date?: string;
  readonly file?: string;
  readonly requestId?: string;
  readonly json?: boolean;
}

const HELP_AFTER = `
Sends the records of one file in exactly one WriteData call: no queue, no retries, no rate
limiter. For bulk loads use the producer API and workers instead.

The default request id is a hash of (application, topic, stage, date, records), so running
the same command again is idempotent: the API answers 409 and nothing is applied twice. An
offline write gets the same id the pipeline gives the same records.

Configured by the environment (BYTEAIR_HOSTS, BYTEAIR_TENANT_ID, BYTEAIR_APPLICATION_ID,
BYTEAIR_AK + BYTEAIR_SK or BYTEAIR_TOKEN, BYTEAIR_DATE_ZONE, ...; see README "Configuration").

Exit codes: 0 accepted or duplicate (409), 3 partial (1001: some records rejected, listed),
1 the call failed (API error, timeout, network), 2 bad input or configuration.

Examples:
  byteair-sync write --topic item --stage history_sync --date 2024-03-01 --file items.jsonl
  byteair-sync write --topic behavior --stage incremental_sync_streaming --file events.json --json
`;

export function registerWrite(program: Command): void {
  const command = program
    .command('write')
    .description('Upload the records of one .json or .jsonl file in one WriteData call.')
    .option('--topic <topic>', 'topic to write (required), one of BYTEAIR_TOPICS')
    .option('--stage <stage>', `stage (required): ${STAGES.join(', ')}`)
    .option(
      '--date <date>',
      `data date YYYY-MM-DD in BYTEAIR_DATE_ZONE, from 2000-01-01, not in the future; required for offline stages, refused for ${STREAMING_STAGE}`,
    )
    .option(
      '--file <path>',
      'records (required): .json = one JSON array of objects, .jsonl = one object per line; at most 10000 records (BYTEAIR_MAX_RECORDS_PER_REQUEST)',
    )
    .option('--request-id <id>', 'Request-Id to send instead of the default content hash')
    .option('--json', 'print the full result as JSON on stdout (the readable line goes to stderr)')
    .addHelpText('after', HELP_AFTER)
    .action(runAction((options: WriteOptions) => write(options)));
  exitBadInputOnUsageErrors(command);
}

async function write(options: WriteOptions): Promise<number> {
  const config = loadConfig(process.env);
  const topic = parseTopic(requiredFlag(options.topic, '--topic', 'the topic to write'), config.topics, '--topic');
  const stage = parseStage(requiredFlag(options.stage, '--stage', `one of ${STAGES.join(', ')}`), '--stage');
  assertStageAllowedForTopic(topic, stage, '--stage');
  let date: string | undefined;
  if (stage === STREAMING_STAGE) {
    if (options.date !== undefined)
      throw new InvalidInputError('--date', options.date, `must not be given for ${STREAMING_STAGE}: streaming data has no data date`);
  } else {
    date = parseDataDate(requiredFlag(options.date, '--date', `the data date (YYYY-MM-DD) of this ${stage} upload`), config.dateZone, systemClock, '--date');
  }
  const path = requiredFlag(options.file, '--file', 'a .json or .jsonl file of records');
  const format = recordFileFormat(path, '--file');
  const requestId = options.requestId === undefined ? undefined : parseRequestId(options.requestId, '--request-id');
  const body = parseRecordFile(await readText(path), format, path, { maxRecords: config.limits.maxRecordsPerRequest, maxBytes: config.limits.maxRequestBytes });

  const session = openApiSession(config);
  try {
    const id = requestId ?? writeCommandRequestId(session.applicationId, topic.name, stage, date, body.sha256);
    const outcome = await session.client.writeData({ topic: topic.name, stage, date, requestId: id, body: gzipJsonText(body.json), signal: session.signal });
    return printReport(reportWrite({ topic: topic.name, stage, date, records: body.records, requestId: id }, outcome), options.json === true);
  } finally {
    session.close();
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError('--file', path, code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`);
  }
}
