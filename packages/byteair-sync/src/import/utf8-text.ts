import { InvalidInputError } from '../errors/invalid-input-error.js';

/** Bytes taken from the input so far: what the progress line and its ETA measure. */
export interface ByteCount {
  bytesRead: number;
}

/**
 * Decodes a byte stream as UTF-8, piece by piece (a character split across two reads is
 * joined), dropping a leading byte-order mark. Invalid UTF-8 stops the import: decoding it
 * leniently would upload U+FFFD in place of the data.
 */
export async function* utf8Text(bytes: AsyncIterable<Buffer | string>, label: string, count: ByteCount): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const piece of bytes) {
    const buffer = typeof piece === 'string' ? Buffer.from(piece) : piece;
    const start = count.bytesRead;
    count.bytesRead += buffer.length;
    let text: string;
    try {
      text = decoder.decode(buffer, { stream: true });
    } catch {
      throw notUtf8(label, start, count.bytesRead);
    }
    if (text !== '') yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw notUtf8(label, count.bytesRead, count.bytesRead);
  }
  if (tail !== '') yield tail;
}

function notUtf8(label: string, from: number, to: number): InvalidInputError {
  return new InvalidInputError(label, `bytes ${from}-${to}`, 'is not valid UTF-8 text; save it as UTF-8');
}
