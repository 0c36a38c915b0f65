import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/**
 * Tells, as close as Node lets us know, when a request left: the limiter re-times a late
 * request by it, so any delay between the bytes leaving and this callback running makes the
 * shared log later than the truth, and the limiter's margin has to cover it.
 *
 * On a reused keep-alive connection (the steady state) Node publishes
 * `http.client.request.start` synchronously as the request's headers and body are written to
 * the socket, so the callback runs before this process can be held up by anything else. The
 * request's 'finish' event comes later (the next turns of a possibly busy event loop: up to
 * 30 ms on a loaded 2-core host, bench/RESULTS.md). On a new connection the bytes are only
 * buffered at that point, waiting for the TCP (and TLS) handshake, so 'finish' is used.
 */
const waiting = new WeakMap<ClientRequest, () => void>();
let subscribed = false;

export function onRequestWritten(request: ClientRequest, callback: () => void): void {
  if (!subscribed) {
    subscribe('http.client.request.start', written);
    subscribed = true;
  }
  // Whichever comes first calls back; the entry leaving the map is what makes it once.
  const once = (): void => {
    if (waiting.delete(request)) callback();
  };
  waiting.set(request, once);
  request.once('finish', once);
}

function written(message: unknown): void {
  const request = (message as { request: ClientRequest }).request;
  const callback = waiting.get(request);
  if (callback !== undefined && request.reusedSocket) callback();
}
