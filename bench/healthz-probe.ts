import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * `node dist/bench/healthz-probe.js <port>`: asks GET /healthz every 20 ms, each on a new
 * connection, until its stdin closes, then prints one JSON line: each answer's latency (ms)
 * and status. Its own process, so what it measures is the server's delay, not the bench's
 * (which is busy writing the large bodies).
 */
const port = Number(process.argv[2]);
const answers: Array<{ ms: number; status: number; at: number }> = [];
let running = true;
process.stdin.on('end', () => {
  running = false;
});
process.stdin.resume();

function ask(): Promise<{ ms: number; status: number; at: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, at: performance.now() }));
    });
    req.on('error', () => resolve({ ms: performance.now() - started, status: -1, at: performance.now() }));
    req.end();
  });
}

while (running) {
  answers.push(await ask());
  await new Promise((resolve) => setTimeout(resolve, 20));
}
process.stdout.write(`${JSON.stringify(answers)}\n`);
