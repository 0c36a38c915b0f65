import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startPrivateRedis } from 'byteair-emulator';
import { CLI } from './harness/bench-system.js';
import { maximum, percentile, round } from './harness/figures.js';
import { BenchFlags } from './harness/flags.js';
import { memoryOf } from './harness/process-memory.js';
import { describeMachine } from './harness/machine.js';
import { sleep } from './harness/wait.js';

/**
 * `npm run bench -- ingest-hostile [--bodies 4] [--mib 32]`
 *
 * `byteair-sync ingest` as its own process on a private Redis, sent `--bodies` authenticated
 * bodies of `--mib` MiB at once, half nested arrays `[[[[…]]]]` and half a flat array of
 * empty arrays `[[],[],…]`: valid JSON that is not records, which
 * costs 1.8 GB and 9 s of a blocked event loop per body when a body is parsed whole. Meanwhile /healthz is asked every 20 ms
 * by a probe process of its own (bench/healthz-probe.ts), and a valid one-record streaming
 * push is sent every 200 ms, each on its own connection; a push answered 503 with Retry-After (the in-flight body budget is full) is sent again after it.
 *
 * Figures: the server's peak RSS (VmHWM from /proc, the kernel's own high-water mark) and
 * RSS 3 s after the last answer; /healthz latency (p50, p99, max) and the largest gap
 * between two /healthz answers; the valid pushes' latency and statuses; the hostile
 * bodies' statuses. Checked: the server is alive at the end and every valid push was 202.
 */
const PROBE = fileURLToPath(new URL('./healthz-probe.js', import.meta.url));
const TOKEN = 'bench-ingest-token-not-a-secret';
const MiB = 2 ** 20;

interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly ms: number;
  readonly body: string;
}

function send(port: number, path: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { connection: 'close', ...headers }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: res.headers['retry-after'],
          ms: performance.now() - started,
          body: Buffer.concat(parts).toString('utf8').slice(0, 300),
        }),
      );
      res.on('error', () => resolve({ status: -1, retryAfter: undefined, ms: performance.now() - started, body: 'response error' }));
    });
    req.on('error', (error) => resolve({ status: -1, retryAfter: undefined, ms: performance.now() - started, body: error.message }));
    req.end(body);
  });
}

function hostileBody(kind: 'nested' | 'flat', bytes: number): Buffer {
  if (kind === 'nested') {
    const half = Math.floor(bytes / 2);
    return Buffer.concat([Buffer.alloc(half, '['), Buffer.alloc(half, ']')]);
  }
  // "[" + "[]," * n + "[]]"
  const n = Math.floor((bytes - 4) / 3);
  const body = Buffer.alloc(1 + n * 3 + 3);
  body[0] = 0x5b;
  for (let i = 0; i < n; i += 1) body.write('[],', 1 + i * 3, 'latin1');
  body.write('[]]', 1 + n * 3, 'latin1');
  return body;
}

export async function runIngestHostileBench(args: readonly string[]): Promise<void> {
  const flags = new BenchFlags(args);
  const bodies = flags.count('bodies', 4);
  const mib = flags.count('mib', 32);
  const redis = await startPrivateRedis({});
  const child = spawn(process.execPath, [CLI, 'ingest', '--host', '127.0.0.1', '--port', '0'], {
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redis.url,
      BYTEAIR_INGEST_TOKEN: TOKEN,
      BYTEAIR_APPLICATION_ID: '12345678',
      BYTEAIR_LOG_LEVEL: 'warn',
      BYTEAIR_INGEST_MAX_BODY_BYTES: String(mib * MiB),
      ...flags.env(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && event.url !== undefined) resolve(Number(new URL(event.url).port));
      });
      void exited.then((code) => reject(new Error(`ingest exited (${String(code)}) before listening:\n${stderr}`)));
    });
    const pid = child.pid ?? 0;
    await sleep(500);
    const idle = memoryOf(pid);
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const payloads = Array.from({ length: bodies }, (_, i) => hostileBody(i % 2 === 0 ? 'nested' : 'flat', mib * MiB));

    let attacking = true;
    const pushes: Answer[] = [];
    const probe = spawn(process.execPath, [PROBE, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let probeOut = '';
    probe.stdout.on('data', (chunk: Buffer) => {
      probeOut += chunk.toString();
    });
    const probeDone = new Promise<void>((resolve) => probe.once('exit', () => resolve()));
    let pushNo = 0;
    let busy = 0;
    const pusher = (async () => {
      while (attacking) {
        pushNo += 1;
        const body = Buffer.from(JSON.stringify([{ id: `valid-${pushNo}` }]));
        let answer = await send(port, '/v1/streams/user/records', 'POST', auth, body);
        // A busy server says when to come back; a client that does is served (counted as one push).
        while (answer.status === 503 && answer.retryAfter !== undefined) {
          busy += 1;
          await sleep(Number(answer.retryAfter) * 1000);
          answer = await send(port, '/v1/streams/user/records', 'POST', auth, body);
        }
        pushes.push(answer);
        await sleep(200);
      }
    })();
    let peakRss = 0;
    const sampler = setInterval(() => {
      const m = memoryOf(pid);
      if (m !== undefined) peakRss = Math.max(peakRss, m.rss);
    }, 50);

    await sleep(300);
    const started = performance.now();
    const hostile = await Promise.all(
      payloads.map(async (payload) => await send(port, '/v1/streams/user/records', 'POST', { ...auth, 'content-length': String(payload.length) }, payload)),
    );
    const attackMs = performance.now() - started;
    await sleep(3_000);
    attacking = false;
    probe.stdin.end();
    await Promise.all([probeDone, pusher]);
    const healthz = JSON.parse(probeOut) as Array<{ ms: number; status: number; at: number }>;
    const healthzAt = healthz.map((a) => a.at);
    clearInterval(sampler);
    const after = memoryOf(pid);
    const alive = child.exitCode === null && (await send(port, '/healthz', 'GET', {})).status === 200;

    const latencies = healthz.map((a) => a.ms);
    const gaps = healthzAt.slice(1).map((at, i) => at - (healthzAt[i] ?? at));
    const figures = {
      bench: 'ingest-hostile',
      machine: describeMachine(),
      workload: { bodies, mibEach: mib, shapes: payloads.map((_, i) => (i % 2 === 0 ? 'nested [[[…]]]' : 'flat [[],[],…]')) },
      hostileAnswers: hostile.map((a) => ({ status: a.status, ms: round(a.ms, 0), body: a.body })),
      attackMs: round(attackMs, 0),
      serverRssMiB: {
        idle: round((idle?.rss ?? 0) / MiB, 1),
        peakVmHWM: round((after?.hwm ?? 0) / MiB, 1),
        peakSampled: round(peakRss / MiB, 1),
        threeSecondsAfter: round((after?.rss ?? 0) / MiB, 1),
      },
      healthz: {
        answers: healthz.length,
        failed: healthz.filter((a) => a.status !== 200).length,
        p50Ms: round(percentile(latencies, 0.5), 1),
        p99Ms: round(percentile(latencies, 0.99), 1),
        maxMs: round(maximum(latencies), 1),
        largestGapMs: round(maximum(gaps), 0),
      },
      validPushes: {
        sent: pushes.length,
        accepted: pushes.filter((a) => a.status === 202).length,
        busyAnswersRetried: busy,
        statuses: [...new Set(pushes.map((a) => a.status))],
        maxMs: round(maximum(pushes.map((a) => a.ms)), 1),
      },
      alive,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    process.stderr.write(
      `ingest-hostile: ${bodies} × ${mib} MiB at once → ${hostile.map((a) => a.status).join('/')}; server RSS peak ${figures.serverRssMiB.peakVmHWM} MiB (idle ${figures.serverRssMiB.idle}, after ${figures.serverRssMiB.threeSecondsAfter}); /healthz max ${figures.healthz.maxMs} ms, p99 ${figures.healthz.p99Ms} ms; valid pushes ${figures.validPushes.accepted}/${figures.validPushes.sent} accepted (${busy} busy answers retried), max ${figures.validPushes.maxMs} ms; alive ${String(alive)}\n`,
    );
    if (!alive || figures.validPushes.accepted !== figures.validPushes.sent) process.exitCode = 1;
  } finally {
    child.kill('SIGKILL');
    await exited;
    await redis.stop();
  }
}
