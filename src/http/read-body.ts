import type { IncomingMessage } from 'node:http';
import { createGunzip, type Gunzip } from 'node:zlib';
import { BodyTooLargeError, MalformedBodyError, UnsupportedEncodingError } from './ingest-errors.js';

/** The request ended before its body did (client gone); nobody is left to answer. */
export class RequestAbortedError extends Error {
  constructor() {
    super('the client closed the request before its body was complete');
    this.name = 'RequestAbortedError';
  }
}

/**
 * Reads a request body into one Buffer of at most `maxBytes`, gunzipping it when it says
 * `Content-Encoding: gzip`. The limit holds on the wire and after decompression, so neither a
 * large upload nor a small gzip bomb can make the process hold more than `maxBytes` of body.
 * A declared Content-Length over the limit is refused before a byte is read.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  // A body parser mounted in front would have drained the stream, and 'end' would never come.
  if (req.readableEnded) throw new Error('the request body was already read: mount the ingest router before any body parser');
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new UnsupportedEncodingError(encoding);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(maxBytes);

  return await new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let wireBytes = 0;
    let bodyBytes = 0;
    let settled = false;
    const gunzip: Gunzip | undefined = encoding === 'gzip' ? createGunzip() : undefined;

    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      req.off('data', onWire);
      req.off('end', onWireEnd);
      req.off('aborted', onAborted);
      req.off('error', onAborted);
      if (gunzip !== undefined) {
        gunzip.off('data', onBody);
        gunzip.off('end', onBodyEnd);
        gunzip.destroy();
      }
      if (error === undefined) {
        resolve(Buffer.concat(parts, bodyBytes));
        return;
      }
      parts.length = 0;
      // The rest of a refused body is read and dropped, not kept: the client, still sending,
      // then hears the 4xx instead of a connection reset.
      req.resume();
      reject(error);
    };
    const onBody = (chunk: Buffer): void => {
      bodyBytes += chunk.length;
      if (bodyBytes > maxBytes) finish(new BodyTooLargeError(maxBytes));
      else parts.push(chunk);
    };
    const onBodyEnd = (): void => finish(undefined);
    const onWire = (chunk: Buffer): void => {
      wireBytes += chunk.length;
      if (wireBytes > maxBytes) finish(new BodyTooLargeError(maxBytes));
      else if (gunzip === undefined) onBody(chunk);
      // Backpressure: stop reading the socket while zlib works through what it has.
      else if (!gunzip.write(chunk)) {
        req.pause();
        gunzip.once('drain', () => req.resume());
      }
    };
    const onWireEnd = (): void => {
      if (gunzip === undefined) finish(undefined);
      else gunzip.end();
    };
    const onAborted = (): void => finish(new RequestAbortedError());

    if (gunzip !== undefined) {
      gunzip.on('data', onBody);
      gunzip.on('end', onBodyEnd);
      gunzip.on('error', () => finish(new MalformedBodyError('declared Content-Encoding: gzip but is not valid gzip')));
    }
    req.on('data', onWire);
    req.on('end', onWireEnd);
    req.on('aborted', onAborted);
    req.on('error', onAborted);
  });
}
