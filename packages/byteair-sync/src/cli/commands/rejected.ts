import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { systemClock } from '../../clock.js';
import { loadConfig } from '../../config/load-config.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { withOperations } from '../operations-session.js';
import { REJECTED_FORMATS, rejectedHeader, rejectedLine, type RejectedFormat } from '../rejected-rows.js';
import { EXIT_CODES_HELP, runAction } from '../run-action.js';
import { filterFlags, type TargetFlags } from '../target-flags.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

interface ExportFlags extends TargetFlags {
  readonly format: string;
  readonly output?: string;
}

const HELP_AFTER = `
Writes every record the API refused (status 1001 answers), with the server's reason, as
JSON Lines (default) or CSV: topic, stage, date (empty for streaming), request id, when it
was refused (ISO 8601 UTC), reason, and the record as the API echoed it (JSON text).
Written as it is read, so memory stays flat however many there are. Without --output the
rows go to stdout and the count to stderr; with --output the count goes to stdout.

Configured by the environment (see README "Configuration").

${EXIT_CODES_HELP}

Examples:
  byteair-sync rejected export --topic item --format csv --output rejected-items.csv
  byteair-sync rejected export --stage incremental_sync_streaming | jq -r .reason | sort | uniq -c
`;

export function registerRejected(program: Command): void {
  const rejected = program.command('rejected').description('Records the API refused (status 1001), kept with its reasons.');
  exitBadInputOnUsageErrors(rejected);
  const command = rejected
    .command('export')
    .description('Export rejected records with their reasons as JSON Lines or CSV.')
    .option('--topic <topic>', 'only this topic')
    .option('--stage <stage>', 'only this stage (incremental_sync_streaming for streaming records)')
    .option('--date <date>', 'only this data date, YYYY-MM-DD (offline stages)')
    .option('--format <format>', REJECTED_FORMATS.join(' | '), 'jsonl')
    .option('--output <file>', 'write to this file (replaced if it exists) instead of stdout')
    .addHelpText('after', HELP_AFTER)
    .action(runAction((flags: ExportFlags) => runExport(flags)));
  exitBadInputOnUsageErrors(command);
}

function exportFormat(text: string): RejectedFormat {
  if (!(REJECTED_FORMATS as readonly string[]).includes(text)) throw new InvalidInputError('--format', text, `must be one of ${REJECTED_FORMATS.join(', ')}`);
  return text as RejectedFormat;
}

async function openOutput(path: string): Promise<Writable> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError('--output', path, `cannot be written (${code ?? String(error)})`);
  }
  return stream;
}

/** Waits when the stream's buffer is full, so a slow disk or pipe never makes us hold the export in memory. */
async function writeTo(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

async function runExport(flags: ExportFlags): Promise<number> {
  const config = loadConfig(process.env);
  const filter = filterFlags(flags, config, systemClock);
  const format = exportFormat(flags.format);
  const count = await withOperations(config, async ({ operations }) => {
    const out = flags.output === undefined ? process.stdout : await openOutput(flags.output);
    // A reader that stops early (`| head`) closes the pipe: the export ends quietly, as other tools do.
    const onError = (): void => undefined;
    if (out === process.stdout) out.on('error', onError);
    let rows = 0;
    try {
      const header = rejectedHeader(format);
      if (header !== undefined) await writeTo(out, header);
      for await (const row of operations.rejectedRecords(filter)) {
        if (out.destroyed) break;
        await writeTo(out, rejectedLine(row, format));
        rows += 1;
      }
    } finally {
      if (out !== process.stdout) {
        out.end();
        await finished(out);
      }
      out.off('error', onError);
    }
    return rows;
  });
  const where = flags.output ?? 'stdout';
  (flags.output === undefined ? process.stderr : process.stdout).write(`exported ${count} rejected records to ${where}\n`);
  return 0;
}
