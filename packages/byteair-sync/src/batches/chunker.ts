import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { serializeRecord } from '../validation/json-record.js';

export interface Chunk {
  /** The JSON array text as UTF-8, exactly what is gzipped into the request body. */
  readonly json: Buffer;
  readonly records: number;
  /** Bytes of `json`. */
  readonly bytes: number;
  /** sha256 of `json`: the chunk's identity, so the same records make the same Request-Id. */
  readonly sha256: string;
}

export interface ChunkLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

/** First size of a chunk's buffer; it doubles as records come, up to the byte cap. */
const INITIAL_CHUNK_BYTES = 256 * 1024;

/**
 * Cuts records into chunks of at most `maxRecords` records and `maxBytes` JSON bytes,
 * validating each record on the way. Holds one chunk in memory at a time, so any amount of
 * input runs in constant memory. `field` names the input in errors (`records[12].price`).
 */
export async function* chunkRecords(records: Iterable<unknown> | AsyncIterable<unknown>, limits: ChunkLimits, field = 'records'): AsyncGenerator<Chunk> {
  // The chunk's text is written into one buffer outside the JS heap as records arrive: each
  // record's string then dies young instead of living (and being promoted to the old
  // generation) until the chunk is cut, which kept a 10M-record import's heap full of garbage.
  let buffer = Buffer.allocUnsafe(Math.min(INITIAL_CHUNK_BYTES, limits.maxBytes));
  let bytes = 0;
  let count = 0;
  let index = 0;
  const append = (text: string): void => {
    const needed = bytes + Buffer.byteLength(text);
    if (needed > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(buffer.length * 2, needed), limits.maxBytes));
      buffer.copy(grown, 0, 0, bytes);
      buffer = grown;
    }
    bytes += buffer.write(text, bytes);
  };
  const cut = (): Chunk => {
    append(']');
    // A copy sized to the chunk: the working buffer is reused for the next one.
    const json = Buffer.from(buffer.subarray(0, bytes));
    const chunk = { json, records: count, bytes, sha256: createHash('sha256').update(json).digest('hex') };
    bytes = 0;
    count = 0;
    return chunk;
  };
  for await (const record of records) {
    const path = `${field}[${index}]`;
    const text = serializeRecord(record, path);
    const textBytes = Buffer.byteLength(text);
    if (textBytes + 2 > limits.maxBytes)
      throw new InvalidInputError(path, `${textBytes} bytes`, `is larger than the request byte cap (BYTEAIR_MAX_REQUEST_BYTES=${limits.maxBytes})`);
    // +1 for the comma that joins it to the records before it, +1 for the closing bracket.
    if (count > 0 && (count >= limits.maxRecords || bytes + 1 + textBytes + 1 > limits.maxBytes)) yield cut();
    append(count === 0 ? '[' : ',');
    append(text);
    count += 1;
    index += 1;
  }
  if (count > 0) yield cut();
}
