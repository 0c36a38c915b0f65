import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
