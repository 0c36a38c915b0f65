import { InvalidInputError } from '../errors/invalid-input-error.js';

/** jsonl = one object per line; json = one top-level array of objects; csv = a header row, then one record per row. */
export const IMPORT_FORMATS = ['jsonl', 'json', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

const EXTENSIONS: ReadonlyArray<readonly [string, ImportFormat]> = [
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.json', 'json'],
  ['.csv', 'csv'],
];

/**
 * The format of an import: `--format` when given (required for `-`, standard input, which
 * has no name to go by), else the file's extension.
 */
export function importFormatOf(file: string, format: string | undefined): ImportFormat {
  if (format !== undefined) {
    if (!(IMPORT_FORMATS as readonly string[]).includes(format)) throw new InvalidInputError('--format', format, `must be one of ${IMPORT_FORMATS.join(', ')}`);
    return format as ImportFormat;
  }
  if (file === '-') throw new InvalidInputError('--format', format, `is required when --file is - (standard input): one of ${IMPORT_FORMATS.join(', ')}`);
  const lower = file.toLowerCase();
  const found = EXTENSIONS.find(([extension]) => lower.endsWith(extension));
  if (found === undefined) {
    throw new InvalidInputError(
      '--file',
      file,
      `must end in ${EXTENSIONS.map(([e]) => e).join(', ')}, or name its format with --format ${IMPORT_FORMATS.join('|')}`,
    );
  }
  return found[1];
}
