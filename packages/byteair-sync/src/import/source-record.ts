/** One record as a reader found it, with where it starts in the input (for error messages). */
export interface SourceRecord {
  readonly record: unknown;
  /** 1-based line the record starts on. */
  readonly line: number;
  /** 0-based position in a JSON array file; undefined for line and row formats. */
  readonly element?: number;
}

/** `items.jsonl line 12`, or `items.json[3] (line 12)` for an array element. */
export function whereOf(label: string, source: Pick<SourceRecord, 'line' | 'element'>): string {
  return source.element === undefined ? `${label} line ${source.line}` : `${label}[${source.element}] (line ${source.line})`;
}

/**
 * Caps on one record's source text, so a file without a single newline (or a never-closed
 * string) cannot make a reader buffer it whole: memory stays bounded by the cap.
 */
export interface ReaderLimits {
  /** Characters one record's text may span; a record this long could never fit a request anyway. */
  readonly maxRecordChars: number;
}

/** Source text may be pretty-printed or escaped, so it is allowed to be larger than its compact JSON. */
export function readerLimitsFor(maxRequestBytes: number): ReaderLimits {
  return { maxRecordChars: maxRequestBytes * 2 + 1024 };
}
