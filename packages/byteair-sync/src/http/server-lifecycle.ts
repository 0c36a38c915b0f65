import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpServerLimits } from '../config/config.js';
import type { Logger } from '../observability/logger.js';

/** Starts listening; a bind error (port in use, bad address) rejects instead of crashing the process. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** `http://host:port` as bound (port 0 resolved, IPv6 bracketed). */
export function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Stops taking connections: idle keep-alive ones close at once, requests in flight may
 * finish (ingest: their records are being made durable), but not past the deadline.
 */
export async function closeServer(server: Server, deadlineMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = setTimeout(() => server.closeAllConnections(), deadlineMs);
  try {
    await closed;
  } finally {
    clearTimeout(deadline);
  }
}

/** Between two warnings about dropped connections: a flood must not flood the log too. */
const DROP_WARNING_INTERVAL_MS = 10_000;

/**
 * An HTTP server that a slow or hostile client cannot hold: headers and the whole request
 * must arrive within their timeouts (408, then the connection closes), and connections beyond
 * the cap are closed on arrival. Node checks the timeouts on an interval (30 s by default,
 * which let a 60 s headers timeout hold a connection 72 s); it is tied to the timeouts here.
 */
export function createLimitedServer(listener: RequestListener, limits: HttpServerLimits, logger: Logger): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  let dropped = 0;
  let warnedAt = -Infinity;
  server.on('drop', () => {
    dropped += 1;
    const now = Date.now();
    if (now - warnedAt < DROP_WARNING_INTERVAL_MS) return;
    warnedAt = now;
    logger.warn({ maxConnections: limits.maxConnections, droppedSinceStart: dropped }, 'connection refused: BYTEAIR_HTTP_MAX_CONNECTIONS reached');
  });
  return server;
}
