import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';

/** The token the ingest tests configure; obviously fake. */
export const INGEST_TOKEN = 'ingest-test-token-7f3a9c';

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The parsed JSON body (every ingest answer is JSON). */
  readonly body: Record<string, unknown>;
  /** `body.error`, for refusals. */
  readonly error: Record<string, unknown>;
}

export interface Send {
  readonly method?: string;
  /** Defaults to INGEST_TOKEN; null sends no Authorization header. */
  readonly token?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  /** One Buffer/string is sent with a Content-Length; an array is sent chunked, piece by piece. */
  readonly body?: string | Buffer | readonly Buffer[];
}

/**
 * One request on its own connection (no agent, so nothing stays open after the answer).
 * Raw node:http rather than fetch, to control Content-Length, chunking and encodings.
 */
export function send(baseUrl: string, path: string, options: Send = {}): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const token = options.token === undefined ? INGEST_TOKEN : options.token;
  const headers: Record<string, string> = { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...options.headers };
  const body = options.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // Left empty: the test then fails on the fields it expects, with `text` to look at.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed, error: (parsed.error ?? {}) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    if (Array.isArray(body)) {
      for (const piece of body as readonly Buffer[]) req.write(piece);
      req.end();
    } else req.end(body as string | Buffer | undefined);
  });
}

export const JSON_TYPE = { 'content-type': 'application/json' };
export const NDJSON_TYPE = { 'content-type': 'application/x-ndjson' };

export function ndjson(records: readonly unknown[]): string {
  return `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

export function gzipped(text: string): Buffer {
  return gzipSync(Buffer.from(text, 'utf8'));
}
