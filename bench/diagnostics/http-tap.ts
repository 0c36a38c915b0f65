import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SEND_TIMING_CHANNEL, type SendTiming } from 'byteair-sync/internal/src/observability/send-timing.js';

/**
 * Preloaded (`NODE_OPTIONS=--import=<this file>`) into workers and the emulator to time every
 * API request at both ends, by Request-Id: `send` when Node publishes http.client.request.start
 * (the request ended and written to its socket, right after the limiter let it go), `flushed`
 * on its 'finish', `answered` on its 'response', `bytes` (the Content-Length), `arrive` when the emulator's server emits 'request' (the moment the emulator
 * stamps the arrival its sliding windows count), and from the worker's send report
 * (src/observability/send-timing.ts): `booked`, the limiter's booked start, `confirmed`, when the
 * holder confirmed it, and `accounted`, the time the limiter's log holds in the end (the booked
 * start, or the real send when late). Epoch ms with fractions, from each process's timeOrigin
 * (Redis TIME for the limiter's), so all share the machine's clock.
 * Written to `<BENCH_HTTP_TAP_OUT>-<pid>.json` at exit.
 */
const out = process.env.BENCH_HTTP_TAP_OUT;
if (out !== undefined && out !== '') {
  const events: Array<[string, string, number]> = [];
  const now = (): number => performance.timeOrigin + performance.now();
  subscribe('http.client.request.start', (message) => {
    const request = (message as { request: ClientRequest }).request;
    const id = request.getHeader('request-id');
    if (typeof id !== 'string') return;
    events.push(['send', id, now()]);
    // Not a time: the body's size, to group answer times by how much the server had to read.
    const length = Number(request.getHeader('content-length'));
    if (Number.isFinite(length)) events.push(['bytes', id, length]);
    // 'finish': the whole request (headers and body) was handed to the socket.
    request.once('finish', () => events.push(['flushed', id, now()]));
    // 'response': the answer's head arrived, the end of the round trip the limiter measures.
    request.once('response', () => events.push(['answered', id, now()]));
  });
  // The limiter's booked start of each request that went out (Redis ms: the same machine clock).
  subscribe(SEND_TIMING_CHANNEL, (message) => {
    const timing = message as SendTiming;
    events.push(
      ['booked', timing.requestId, timing.bookedAt],
      ['confirmed', timing.requestId, timing.confirmedAt],
      ['accounted', timing.requestId, timing.bookedAt + Math.max(0, timing.lateMs)],
    );
  });
  subscribe('http.server.request.start', (message) => {
    const request = (message as { request: IncomingMessage }).request;
    const id = request.headers['request-id'];
    if (typeof id === 'string') events.push(['arrive', id, now()]);
  });
  process.once('exit', () => writeFileSync(`${out}-${process.pid}.json`, JSON.stringify(events)));
}
