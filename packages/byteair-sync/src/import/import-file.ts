import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { chunkRecords, type ChunkLimits } from '../batches/chunker.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { OfflineBatch } from '../producer/offline-batch.js';
import type { ImportFormat } from './import-format.js';
import { readRecords } from './record-reader.js';
import { readerLimitsFor, whereOf, type SourceRecord } from './source-record.js';
import { utf8Text, type ByteCount } from './utf8-text.js';

export interface ImportProgress {
  /** Records added to the batch (whole chunks: stored, registered and queued). */
  readonly records: number;
  readonly chunks: number;
  /** Compact JSON bytes of the records added. */
  readonly jsonBytes: number;
  /** Bytes of the input read so far (a little ahead of what was added). */
  readonly bytesRead: number;
  /** Size of the input when known (a file; not standard input): bytesRead / totalBytes is the fraction done. */
  readonly totalBytes: number | undefined;
}

export interface ImportResult extends ImportProgress {
  readonly batchId: string;
  /** Chunks this import created; the others were already in the batch (an earlier run of the same import). */
  readonly newChunks: number;
}

export interface ImportOptions {
  /** A file path, or `-` for `stdin`. */
  readonly file: string;
  readonly format: ImportFormat;
  /**
   * The batch, or how to open it. A function is called only once the first chunk of records
   * has been read and checked, so an input that is empty or bad from its first lines leaves
   * no empty open batch behind (an open batch holds the topic's later stages).
   */
  readonly batch: OfflineBatch | (() => Promise<OfflineBatch>);
  /** The chunk limits of the batch (BYTEAIR_MAX_RECORDS_PER_REQUEST, BYTEAIR_MAX_REQUEST_BYTES). */
  readonly limits: ChunkLimits;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Where `-` reads from; process.stdin by default. */
  readonly stdin?: AsyncIterable<Buffer | string>;
}

/**
 * Streams a .jsonl, .json (one array) or .csv file into an offline batch in constant memory:
 * one chunk of records at a time (OfflineBatch.add), the reader paused while a chunk is
 * stored. An error names the file line; records of whole chunks added before it stay added
 * (the batch stays open), and running the same import again adds nothing twice, because a
 * chunk's Request-Id is derived from its content.
 */
export async function importFile(options: ImportOptions): Promise<ImportResult> {
  const label = options.file === '-' ? 'stdin' : options.file;
  const totalBytes = options.file === '-' ? undefined : await fileSize(options.file);
  const count: ByteCount = { bytesRead: 0 };
  const bytes = options.file === '-' ? (options.stdin ?? process.stdin) : createReadStream(options.file, { highWaterMark: 256 * 1024 });
  const source = readRecords(options.format, utf8Text(bytes, label, count), label, readerLimitsFor(options.limits.maxBytes));
  const position: Cursor = { index: -1, last: undefined };
  try {
    // One record past a full chunk: the chunker only lets the first chunk go when it has read
    // the record after it, so a bad record there would otherwise stop the import after the
    // batch was opened but before anything was added, leaving an empty open batch.
    const head = await readHead(source, options.limits.maxRecords + 1);
    if (head.length === 0) throw new InvalidInputError(label, 'no records', 'holds no records; an import needs at least one');
    await relabelled(label, position, () => checkRecords(track(head, position), options.limits));
    const batch = typeof options.batch === 'function' ? await options.batch() : options.batch;
    position.index = -1;
    const added = await relabelled(label, position, () =>
      batch.add(track(concat(head, source), position), (progress) => {
        options.onProgress?.({ records: progress.records, chunks: progress.chunks, jsonBytes: progress.bytes, bytesRead: count.bytesRead, totalBytes });
      }),
    );
    return {
      batchId: batch.batchId,
      records: added.records,
      chunks: added.chunks,
      jsonBytes: added.bytes,
      newChunks: added.newChunks,
      bytesRead: count.bytesRead,
      totalBytes,
    };
  } finally {
    // Closes the file when the import stops early (a bad record, a closed batch, Redis).
    await source.return(undefined);
  }
}

/** The record the chunker is looking at: the last one handed to it, and its index. */
interface Cursor {
  index: number;
  last: SourceRecord | undefined;
}

/** Runs the chunker's checks (a JSON object, within the byte cap) without storing anything. */
async function checkRecords(records: AsyncIterable<unknown>, limits: ChunkLimits): Promise<void> {
  const chunks = chunkRecords(records, limits);
  for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
    // Only the checks matter here; the chunks are made again when the records are added.
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InvalidInputError('--file', path, 'is not a regular file');
    return info.size;
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError('--file', path, code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`);
  }
}

/** Up to one chunk of records and the one after it, read before the batch is opened (bounded: one request's worth). */
async function readHead(source: AsyncIterator<SourceRecord>, max: number): Promise<SourceRecord[]> {
  const head: SourceRecord[] = [];
  while (head.length < max) {
    const next = await source.next();
    if (next.done === true) break;
    head.push(next.value);
  }
  return head;
}

async function* concat(head: SourceRecord[], rest: AsyncIterator<SourceRecord>): AsyncGenerator<SourceRecord> {
  yield* head;
  // Not kept for the rest of the import.
  head.length = 0;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}

/** Yields the records and remembers the last one, which is the one the chunker is checking. */
async function* track(records: Iterable<SourceRecord> | AsyncIterable<SourceRecord>, position: Cursor): AsyncGenerator {
  for await (const source of records) {
    position.index += 1;
    position.last = source;
    yield source.record;
  }
}

/**
 * The chunker names a bad record by its index (`records[1234]`); the reader knows its line.
 * The chunker checks each record as it receives it, so the index is always the last record handed out.
 */
async function relabelled<T>(label: string, position: Cursor, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const prefix = `records[${position.index}]`;
    if (error instanceof InvalidInputError && position.last !== undefined && error.field.startsWith(prefix)) {
      throw new InvalidInputError(whereOf(label, position.last) + error.field.slice(prefix.length), error.value, error.reason);
    }
    throw error;
  }
}
