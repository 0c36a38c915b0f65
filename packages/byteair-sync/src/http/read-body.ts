import type { IncomingMessage } from 'node:http';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { BodyHold } from './body-budget.js';
import { TimeSlice } from './time-slice.js';
import { BodyTooLargeError, IngestBusyError, MalformedBodyError, UnsupportedEncodingError } from './ingest-errors.js';

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
 * A declared Content-Length over the limit is refused before a byte is read. With a `hold`
 * (a share of the server's BodyBudget) the body's bytes are taken from the budget as they
 * come, the declared length at once, and a body that does not fit is refused (IngestBusyError).
 */
export async function readBody(req: IncomingMessage, maxBytes: number, hold?: { readonly share: BodyHold; readonly limit: number }): Promise<Buffer> {
  // A body parser mounted in front would have drained the stream, and 'end' would never come.
  if (req.readableEnded) throw new Error('the request body was already read: mount the ingest router before any body parser');
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new UnsupportedEncodingError(encoding);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  if (hold !== undefined && Number.isFinite(declared) && !hold.share.ensure(declared)) throw new IngestBusyError(hold.limit);

  const parts = await new Promise<Buffer[]>((resolve, reject) => {
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
        resolve(parts);
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
      else if (hold !== undefined && !hold.share.ensure(bodyBytes)) finish(new IngestBusyError(hold.limit));
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
  return await joinSliced(parts);
}

/**
 * The pieces as one Buffer, copied a few at a time between turns of the event loop: one
 * Buffer.concat of 32 MiB held every other request for about 100 ms on a 2-core machine.
 */
async function joinSliced(parts: readonly Buffer[]): Promise<Buffer> {
  const [only] = parts;
  if (parts.length === 1 && only !== undefined) return only;
  const body = Buffer.allocUnsafe(parts.reduce((sum, part) => sum + part.length, 0));
  const slice = new TimeSlice();
  let at = 0;
  for (const part of parts) {
    part.copy(body, at);
    at += part.length;
    if (slice.due()) await slice.pause();
  }
  return body;
}
