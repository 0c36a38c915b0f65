import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads a request body in full; `undefined` when it is larger than `maxBytes` (read and dropped). */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    request.once('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks, size)));
    request.once('error', reject);
    // A client that gives up mid-body ends with 'close' and no 'end'.
    request.once('close', () => {
      if (!request.complete) reject(new Error('client closed the connection before the body was complete'));
    });
  });
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, { 'Content-Type': 'application/json' }, JSON.stringify(value));
}

/** Sends JSON text as it comes, piece by piece (chunked), waiting for the socket when it is full. */
export async function sendJsonPieces(response: ServerResponse, status: number, pieces: AsyncIterable<string>): Promise<void> {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, { 'Content-Type': 'application/json' });
  for await (const piece of pieces) {
    if (response.destroyed) return;
    if (!response.write(piece)) await drainedOrClosed(response);
  }
  response.end();
}

function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

export function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  send(response, status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, text);
}

/** First value of a header as node parsed it (names are lower-case there). */
export function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
