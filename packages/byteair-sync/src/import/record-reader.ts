import { csvRecords } from './csv-records.js';
import type { ImportFormat } from './import-format.js';
import { jsonArrayRecords } from './json-array-records.js';
import { jsonLinesRecords } from './jsonl-records.js';
import type { ReaderLimits, SourceRecord } from './source-record.js';

/** The streaming reader of one format: text pieces in, records with their positions out. */
export function readRecords(format: ImportFormat, text: AsyncIterable<string>, label: string, limits: ReaderLimits): AsyncGenerator<SourceRecord> {
  switch (format) {
    case 'jsonl':
      return jsonLinesRecords(text, label, limits);
    case 'json':
      return jsonArrayRecords(text, label, limits);
    case 'csv':
      return csvRecords(text, label, limits);
  }
}
