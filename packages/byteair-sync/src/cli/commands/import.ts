import type { Command } from 'commander';
import { batchIdOf, type BatchRef } from '../../batches/batch-id.js';
import { BatchClosedError } from '../../batches/batch-errors.js';
import { systemClock } from '../../clock.js';
import { loadConfig } from '../../config/load-config.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { importFile, type ImportProgress, type ImportResult } from '../../import/import-file.js';
import { IMPORT_FORMATS, importFormatOf } from '../../import/import-format.js';
import type { OperationsHandle } from '../../operations/open-operations.js';
import { formatBytes, formatDuration, ImportProgressReporter } from '../import-progress.js';
import { withOperations } from '../operations-session.js';
import { requiredFlag } from '../required-flag.js';
import { EXIT_CODES_HELP, runAction } from '../run-action.js';
import { batchFlags } from '../target-flags.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

interface ImportFlags {
  readonly topic?: string;
  readonly stage?: string;
  readonly date?: string;
  readonly file?: string;
  readonly format?: string;
  readonly seal?: boolean;
  readonly quiet?: boolean;
  readonly progressEvery: string;
}

const HELP_AFTER = `
Reads a file of records in constant memory, whatever its size, into the offline batch of
(topic, stage, date): chunks of up to BYTEAIR_MAX_RECORDS_PER_REQUEST records, each stored
in Redis and queued for upload before the next is read. Running workers upload them.

Formats (from the extension, or --format; --format is required for -, standard input):
  .jsonl, .ndjson  one JSON object per line; blank lines are skipped
  .json            one JSON array of objects, read element by element (never whole)
  .csv             a header row of column names, then one record per row; RFC 4180
                   quoting ("a, b", "say ""hi""", line breaks inside quotes); every
                   value is a string; empty lines are skipped
Files are UTF-8 (a byte-order mark is ignored).

Bad input stops the import with the place and the value: "items.jsonl line 1234: is not
valid JSON ...", "items.json[7] (line 30): must be a JSON object ...", "items.csv line 88
column price: has a quote inside an unquoted field ...". Records of the whole chunks added
before the error stay in the batch, which stays open.

Idempotent: a chunk's Request-Id is derived from its records, so running the same import
again (after fixing a bad line, or by mistake) adds nothing twice and the API never applies
a chunk twice; the summary counts the chunks that were new. The batch is opened only once
the first chunk of records has been read and checked, so an empty or broken file leaves no
empty open batch behind (an open batch holds the topic's later stages).

Progress goes to stderr: on a terminal one redrawn line (bar, records, chunks, records/s,
ETA from the bytes read; no bar or ETA for standard input), otherwise a plain line every
--progress-every seconds. A summary line ends on stdout. --quiet prints neither.

Configured by the environment (REDIS_URL, BYTEAIR_REDIS_PREFIX, BYTEAIR_APPLICATION_ID,
BYTEAIR_TOPICS, BYTEAIR_DATE_ZONE, ...; see README "Configuration").

${EXIT_CODES_HELP}

Examples:
  byteair-sync import --topic item --stage history_sync --date 2024-03-01 --file items.jsonl
  byteair-sync import --topic user --stage pre_sync --date 2024-03-01 --file users.csv --seal
  zcat items.json.gz | byteair-sync import --topic item --stage incremental_sync_daily \\
      --date 2024-03-02 --file - --format json
`;

export function registerImport(program: Command): void {
  const command = program
    .command('import')
    .description('Stream a .jsonl, .json or .csv file of records into an offline batch (constant memory, progress, idempotent re-runs).')
    .option('--topic <topic>', 'topic (required), one of BYTEAIR_TOPICS')
    .option('--stage <stage>', 'offline stage (required): pre_sync, history_sync or incremental_sync_daily')
    .option('--date <date>', 'data date (required), YYYY-MM-DD in BYTEAIR_DATE_ZONE, from 2000-01-01, not in the future')
    .option('--file <path>', 'records file (required): .jsonl/.ndjson, .json or .csv; - reads standard input')
    .option('--format <format>', `${IMPORT_FORMATS.join(' | ')}: overrides the extension; required with --file -`)
    .option('--seal', 'seal the batch after a successful import: no more records for this date; its Done is sent once every chunk is uploaded')
    .option('--progress-every <seconds>', 'seconds between plain progress lines when stderr is not a terminal (0 = every chunk)', '10')
    .option('--quiet', 'print no progress and no summary (errors still go to stderr)')
    .addHelpText('after', HELP_AFTER)
    .action(runAction((flags: ImportFlags) => runImport(flags)));
  exitBadInputOnUsageErrors(command);
}

function seconds(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 86_400)
    throw new InvalidInputError(flag, text, 'must be a number of seconds from 0 to 86400');
  return value * 1000;
}

async function runImport(flags: ImportFlags): Promise<number> {
  const config = loadConfig(process.env);
  const ref = batchFlags(flags, config, systemClock);
  const file = requiredFlag(flags.file, '--file', 'the records file, or - for standard input');
  const format = importFormatOf(file, flags.format);
  const intervalMs = seconds(flags.progressEvery, '--progress-every');
  const quiet = flags.quiet === true;
  return await withOperations(config, async (handle) => {
    // Refused before reading a byte: the whole file would be read only to be refused.
    const existing = await handle.batches.status(batchIdOf(ref));
    if (existing !== null && existing.state !== 'open') throw new BatchClosedError(existing.batchId, existing.state);
    const label = file === '-' ? 'stdin' : file;
    const progress = quiet ? undefined : new ImportProgressReporter({ out: process.stderr, clock: systemClock, label, intervalMs });
    const startedAt = systemClock.now();
    let last: ImportProgress | undefined;
    let result: ImportResult;
    try {
      result = await importFile({
        file,
        format,
        batch: () => handle.producer.batch(ref.topic, ref.stage, ref.date),
        limits: { maxRecords: config.limits.maxRecordsPerRequest, maxBytes: config.limits.maxRequestBytes },
        onProgress: (p) => {
          last = p;
          progress?.update(p);
        },
      });
    } catch (error) {
      progress?.clear();
      if (!quiet && last !== undefined && last.records > 0) process.stdout.write(`${stoppedLine(batchIdOf(ref), last)}\n`);
      throw error;
    }
    progress?.clear();
    const sealed = flags.seal === true ? await seal(handle, ref) : undefined;
    if (!quiet) process.stdout.write(`${summaryLine(label, result, systemClock.now() - startedAt, ref, sealed)}\n`);
    return 0;
  });
}

async function seal(handle: OperationsHandle, ref: BatchRef): Promise<string> {
  const batch = await handle.producer.batch(ref.topic, ref.stage, ref.date);
  const { doneQueued } = await batch.seal();
  return doneQueued ? 'sealed; every chunk was already uploaded, so its Done is queued now' : 'sealed; its Done is sent once every chunk is uploaded';
}

function summaryLine(label: string, r: ImportResult, elapsedMs: number, ref: BatchRef, sealed: string | undefined): string {
  const rate = elapsedMs > 0 ? Math.round((r.records / elapsedMs) * 1000) : r.records;
  const already = r.chunks - r.newChunks;
  const next = sealed ?? `the batch is open: import more, or close it with byteair-sync seal --topic ${ref.topic} --stage ${ref.stage} --date ${ref.date}`;
  return `imported ${r.records} records from ${label} into ${r.batchId}: ${r.chunks} chunks (${r.newChunks} new, ${already} already in the batch), ${formatBytes(r.bytesRead)} read in ${formatDuration(elapsedMs)} (${rate} records/s); ${next}`;
}

function stoppedLine(batchId: string, last: ImportProgress): string {
  return `stopped: ${last.records} records in ${last.chunks} whole chunks were added to ${batchId} before the import stopped (the reason is on stderr); they stay there and the batch stays open. Fix the input and run the same import again: the chunks already added are recognised by their Request-Ids and not added twice.`;
}
