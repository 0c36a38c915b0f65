import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request exactly as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path with query string, as sent on the request line. */
  readonly url: string;
  readonly path: string;
  /** Query pairs in the order sent (already percent-decoded by URLSearchParams). */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Node's lower-cased view of the headers. */
  readonly headers: IncomingHttpHeaders;
  /** Header names and values in the order and case received. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  /** The raw body bytes (still gzip when the client gzipped). */
  readonly body: Buffer;
  /** A single header value by name (any case). */
  header(name: string): string | undefined;
}

/** What the server does with one request. */
export type ScriptedReply =
  | {
      readonly kind: 'respond';
      readonly status?: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: Buffer | string;
      /** Answer this long after the request has been read (a slow server). */
      readonly afterMs?: number;
    }
  /** Read the request, never answer (a timeout for the client); the socket is destroyed at close(). */
  | { readonly kind: 'hang' }
  /** Read the request, then destroy the socket without a response (a reset for the client). */
  | { readonly kind: 'destroy' };

/** A function of the request and its 0-based index, or a list consumed in order (the last entry repeats). */
export type Script = ((request: RecordedRequest, index: number) => ScriptedReply) | readonly ScriptedReply[];

export interface ScriptedServerOptions {
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface ScriptedServer {
  readonly port: number;
  /** `127.0.0.1:port`: what a client puts in BYTEAIR_HOSTS. */
  readonly host: string;
  /** Every request received so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Resolves once at least `count` requests have been fully received. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

function replyFor(script: Script, request: RecordedRequest, index: number): ScriptedReply {
  if (typeof script === 'function') return script(request, index);
  const reply = script[Math.min(index, script.length - 1)];
  if (reply === undefined) throw new Error('scripted server: empty script');
  return reply;
}

function record(req: IncomingMessage, body: Buffer): RecordedRequest {
  const url = req.url ?? '/';
  const parsed = new URL(url, 'http://scripted.invalid');
  const rawHeaders: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
  const headers = req.headers;
  return {
    method: req.method ?? '',
    url,
    path: parsed.pathname,
    query: [...parsed.searchParams.entries()],
    headers,
    rawHeaders,
    body,
    header(name: string): string | undefined {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * A loopback HTTP(S) server that records every request (method, path, headers, raw body) and
 * answers each one as the script says: the fake ByteAir API for client and CLI tests, with
 * no dependency on the emulator. Port 0, so test files never collide.
 */
export async function startScriptedServer(script: Script, options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = record(req, Buffer.concat(chunks));
      const index = requests.length;
      requests.push(recorded);
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const reply = replyFor(script, recorded, index);
      if (reply.kind === 'hang') return;
      if (reply.kind === 'destroy') {
        req.socket.destroy();
        return;
      }
      const answer = (): void => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { ...reply.headers });
        res.end(reply.body ?? '');
      };
      if (reply.afterMs === undefined) answer();
      else setTimeout(answer, reply.afterMs);
    });
  };
  const server: Server = options.tls === undefined ? createHttpServer(handler) : createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host: `127.0.0.1:${port}`,
    requests,
    waitForRequests(count: number): Promise<void> {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close(): Promise<void> {
      // Hanging requests keep their sockets open; close() would wait for them forever.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
    },
  };
}

/** Runs `fn` with a scripted server and closes it afterwards, whatever happens. */
export async function withScriptedServer<T>(script: Script, fn: (server: ScriptedServer) => Promise<T>, options: ScriptedServerOptions = {}): Promise<T> {
  const server = await startScriptedServer(script, options);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** A loopback port nothing listens on (bound once, then released): connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
