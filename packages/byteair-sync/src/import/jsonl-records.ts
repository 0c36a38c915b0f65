import { InvalidInputError } from '../errors/invalid-input-error.js';
import { describeJsonSyntaxError, formatJsonSyntaxProblem } from '../validation/json-syntax-error.js';
import { LineSplitter, type TextLine } from './line-splitter.js';
import type { ReaderLimits, SourceRecord } from './source-record.js';

/** JSON Lines: one JSON value per line; blank lines are skipped. One line in memory at a time. */
export async function* jsonLinesRecords(text: AsyncIterable<string>, label: string, limits: ReaderLimits): AsyncGenerator<SourceRecord> {
  const lines = new LineSplitter(label, limits.maxRecordChars);
  for await (const piece of text) {
    for (const line of lines.push(piece)) {
      const record = parseJsonLine(line, label);
      if (record !== undefined) yield record;
    }
  }
  const last = lines.end();
  const record = last === undefined ? undefined : parseJsonLine(last, label);
  if (record !== undefined) yield record;
}

/** One line as a record, or undefined for a blank line. Shared with `push`, which reads the same format. */
export function parseJsonLine({ text, line }: TextLine, label: string): SourceRecord | undefined {
  if (text.length === 0 || (isBlankStart(text) && text.trim() === '')) return undefined;
  try {
    return { record: JSON.parse(text) as unknown, line };
  } catch (error) {
    throw new InvalidInputError(`${label} line ${line}`, text, `is not valid JSON (${formatJsonSyntaxProblem(describeJsonSyntaxError(error, text), false)})`);
  }
}

function isBlankStart(text: string): boolean {
  const code = text.charCodeAt(0);
  return code === 32 || code === 9 || code === 13 || code === 0xfeff;
}
