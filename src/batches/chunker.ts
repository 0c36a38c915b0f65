import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { serializeRecord } from '../validation/json-record.js';

export interface Chunk {
  /** The JSON array text, exactly what is gzipped into the request body. */
  readonly json: string;
  readonly records: number;
  /** UTF-8 bytes of `json`. */
  readonly bytes: number;
  /** sha256 of `json`: the chunk's identity, so the same records make the same Request-Id. */
  readonly sha256: string;
}

export interface ChunkLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

/**
 * Cuts records into chunks of at most `maxRecords` records and `maxBytes` JSON bytes,
 * validating each record on the way. Holds one chunk in memory at a time, so any amount of
 * input runs in constant memory. `field` names the input in errors (`records[12].price`).
 */
export async function* chunkRecords(records: Iterable<unknown> | AsyncIterable<unknown>, limits: ChunkLimits, field = 'records'): AsyncGenerator<Chunk> {
  let parts: string[] = [];
  let bytes = 2; // the brackets
  let index = 0;
  const cut = (): Chunk => {
    const json = `[${parts.join(',')}]`;
    const chunk = { json, records: parts.length, bytes, sha256: createHash('sha256').update(json).digest('hex') };
    parts = [];
    bytes = 2;
    return chunk;
  };
  for await (const record of records) {
    const path = `${field}[${index}]`;
    const text = serializeRecord(record, path);
    const textBytes = Buffer.byteLength(text);
    if (textBytes + 2 > limits.maxBytes) throw new InvalidInputError(path, `${textBytes} bytes`, `is larger than the request byte cap (BYTEAIR_MAX_REQUEST_BYTES=${limits.maxBytes})`);
    // +1 for the comma that joins it to the records before it.
    if (parts.length > 0 && (parts.length >= limits.maxRecords || bytes + 1 + textBytes > limits.maxBytes)) yield cut();
    bytes += (parts.length > 0 ? 1 : 0) + textBytes;
    parts.push(text);
    index += 1;
  }
  if (parts.length > 0) yield cut();
}
