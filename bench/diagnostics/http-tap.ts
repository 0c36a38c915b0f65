import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * Preloaded (`NODE_OPTIONS=--import=<this file>`) into workers and the emulator to time every
 * API request at both ends, by Request-Id: `send` when a worker's ClientRequest is created
 * (right after the limiter let it go), `arrive` when the emulator's server emits 'request'
 * (the moment the emulator stamps the arrival its sliding windows count). Epoch ms with
 * fractions, from each process's timeOrigin, so both ends share the machine's clock.
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
    // 'finish': the whole request (headers and body) was handed to the socket.
    request.once('finish', () => events.push(['flushed', id, now()]));
  });
  subscribe('http.server.request.start', (message) => {
    const request = (message as { request: IncomingMessage }).request;
    const id = request.headers['request-id'];
    if (typeof id === 'string') events.push(['arrive', id, now()]);
  });
  process.once('exit', () => writeFileSync(`${out}-${process.pid}.json`, JSON.stringify(events)));
}
