import { request as httpRequest } from 'node:http';
import { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { NetworkModel } from '../../src/emulator/network-model.js';
import { items, signedRequest, withEmulator, write } from './support/fixture.js';
import { admin, writeAnswer } from './support/http.js';

/* The emulator's WAN model. The way in delays the arrival stamp; each connection keeps its order. */

const DELAYS = { inDelayMs: 40, inJitterMs: 60, outDelayMs: 10, outJitterMs: 20 };

test('each request arrives its drawn delay later, never before the one sent before it on the same connection', () => {
  const draws = [0.9, 0.1, 0.5, 0.0];
  const model = new NetworkModel(() => draws.shift() ?? 0);
  const one = new Socket();
  const other = new Socket();
  // 40 + 54 = 94; then 40 + 6 = 46 after 10 ms would overtake it, so it waits behind: 94.
  expect(model.arrival(one, 0, DELAYS)).toBeCloseTo(94);
  expect(model.arrival(one, 10, DELAYS)).toBeCloseTo(94);
  // Another connection has its own order: 20 + 40 + 30 = 90.
  expect(model.arrival(other, 20, DELAYS)).toBeCloseTo(90);
  // The way back: 10 + 0 after 100 ms.
  expect(model.departure(one, 100, DELAYS)).toBeCloseTo(110);
});

test('the arrival stamp the rate windows judge comes after the way in; the answer after the way back; set at run time', async () => {
  await withEmulator({}, async (emulator) => {
    expect((await admin(emulator.url, 'POST', 'faults', { inDelayMs: 80, outDelayMs: 50 })).json).toMatchObject({ inDelayMs: 80, outDelayMs: 50 });
    const sentAt = performance.now();
    const reply = await write(emulator, items(3));
    const answeredAt = performance.now();
    expect(writeAnswer(reply).status.code).toBe(0);
    const [arrival] = emulator.arrivals();
    // The emulator runs in this process: its monotonic clock is this performance.now().
    expect((arrival?.at ?? 0) - sentAt).toBeGreaterThanOrEqual(80);
    expect(answeredAt - (arrival?.at ?? 0)).toBeGreaterThanOrEqual(50);
    await expect(admin(emulator.url, 'POST', 'faults', { inJitterMs: -1 })).resolves.toMatchObject({ status: 400 });
  });
});

test("a 100 Continue travels the path but not the server's work: it comes after both ways, long before an answer held 300 ms", async () => {
  await withEmulator({}, async (emulator) => {
    await admin(emulator.url, 'POST', 'faults', { inDelayMs: 80, outDelayMs: 50, latencyMs: 300 });
    const signed = signedRequest('write', gzipSync(JSON.stringify(items(3))));
    const sentAt = performance.now();
    const times = await new Promise<{ continued: number; answered: number; status: number }>((resolve, reject) => {
      let continued = Number.NaN;
      const url = new URL(signed.path, emulator.url);
      const outgoing = httpRequest(url, { method: 'POST', headers: [...signed.headers.flat(), 'Expect', '100-continue'] }, (res) => {
        res.resume();
        res.on('end', () => resolve({ continued, answered: performance.now(), status: res.statusCode ?? 0 }));
      });
      outgoing.once('continue', () => {
        continued = performance.now();
      });
      outgoing.on('error', reject);
      // Sent at once, without waiting for the interim answer, as the product's client does.
      outgoing.end(signed.body);
    });
    expect(times.status).toBe(200);
    // Node truncates a timer's fractional ms and may fire it up to 1 ms early: 1 ms per sleep.
    expect(times.continued - sentAt).toBeGreaterThanOrEqual(130 - 2);
    expect(times.answered - times.continued).toBeGreaterThanOrEqual(300 - 2);
    expect(emulator.stats().totals.requestsReceived).toBe(1);
  });
});
