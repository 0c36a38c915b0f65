import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { decodeDoneResponse, decodeWriteResponse, type Status, type WriteResponse } from 'byteair-sync/internal/src/byteair/messages.js';

/** An answer as received, its body already gunzipped when it said so. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body as sent on the wire. */
  readonly raw: Buffer;
  readonly body: Buffer;
}

export type HeaderList = ReadonlyArray<readonly [string, string]>;

/**
 * One HTTP request with exactly these headers, in this order and case (Host and
 * Content-Length included when given), through node:http. Rejects on a transport failure
 * (reset, refused), with the error's code.
 */
export function send(baseUrl: string, method: string, path: string, headers: HeaderList, body: Buffer, agent?: Agent): Promise<Reply> {
  const url = new URL(baseUrl);
  const flat: string[] = [];
  for (const [name, value] of headers) flat.push(name, value);
  if (!headers.some(([name]) => name.toLowerCase() === 'content-length')) flat.push('Content-Length', String(body.length));
  // With raw header lists node adds no Host of its own.
  if (!headers.some(([name]) => name.toLowerCase() === 'host')) flat.push('Host', url.host);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: flat, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' && raw.length > 0 ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, body });
      });
    });
    req.once('error', reject);
    req.end(body);
  });
}

export function writeAnswer(reply: Reply): WriteResponse {
  if (reply.headers['content-type'] === 'application/json') return JSON.parse(reply.body.toString('utf8')) as WriteResponse;
  return decodeWriteResponse(reply.body);
}

export function doneAnswer(reply: Reply): Status {
  if (reply.headers['content-type'] === 'application/json') return (JSON.parse(reply.body.toString('utf8')) as { status: Status }).status;
  return decodeDoneResponse(reply.body).status;
}

/** GET or POST on the admin endpoint, JSON both ways. */
export async function admin(baseUrl: string, method: 'GET' | 'POST', path: string, value?: unknown): Promise<{ status: number; json: unknown }> {
  const body = value === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(value));
  const reply = await send(baseUrl, method, `/__emulator/${path}`, [['Content-Type', 'application/json']], body);
  return { status: reply.status, json: JSON.parse(reply.body.toString('utf8')) as unknown };
}
