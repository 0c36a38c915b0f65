import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { intakeOn } from 'byteair-sync/internal/src/operations/open-operations.js';
import { openSyncGraph } from 'byteair-sync/internal/src/wiring/sync-graph.js';
import { BenchFlags } from './harness/flags.js';
import { prng, seriesRecords } from './harness/records.js';
import { streamSeries, type ProducerReport } from './harness/stream-pushes.js';

/**
 * `node dist/bench/stream-producer.js --index i --rate r --seconds s --topics a,b`: one
 * backend process pushing `r` records/s in total into the streaming intakes of `topics`
 * (round robin, a push every `--every-ms`), for `s` seconds after it reads "go" on stdin.
 * Configured by the worker environment. At the end it prints one JSON line: every push's
 * topic, record count and intake entry id (whose ms part is the push time), and the
 * records pushed per topic (ids `<topic>-p<index>-<n>`, see streamSeries).
 */
async function main(): Promise<void> {
  const flags = new BenchFlags(process.argv.slice(2));
  const index = flags.count('index', 0, 0);
  const rate = flags.count('rate', 1_250);
  const seconds = flags.count('seconds', 60);
  const everyMs = flags.count('every-ms', 50);
  const topics = flags.text('topics', 'behavior').split(',');
  const config = loadConfig(process.env);
  const graph = openSyncGraph(config, { role: 'producer', name: `bench-producer-${index}` });
  const intake = intakeOn(graph);
  const randoms = topics.map((_, t) => prng(1_000 * (index + 1) + t));
  const pushed: Record<string, number> = Object.fromEntries(topics.map((t) => [t, 0]));
  const pushes: Array<[number, number, string]> = [];
  let latePushes = 0;
  await graph.redis.ping();
  process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid })}\n`);
  await new Promise<void>((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.once('line', () => {
      // An open stdin would keep this process alive after its last push.
      lines.close();
      process.stdin.destroy();
      resolve();
    });
  });

  const started = performance.now();
  let total = 0;
  for (let tick = 1; ; tick += 1) {
    const dueAt = started + tick * everyMs;
    const wait = dueAt - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (-wait > everyMs) latePushes += 1;
    const elapsed = Math.min(seconds * 1000, performance.now() - started);
    // Catch up after a late tick rather than drift below the rate.
    const count = Math.floor((rate * elapsed) / 1000) - total;
    if (count > 0) {
      const t = tick % topics.length;
      const topic = topics[t] as string;
      const series = streamSeries(topic, index);
      const from = pushed[topic] ?? 0;
      const { lastEntry } = await intake.push(topic, [...seriesRecords(topic, series, from, count, randoms[t] as () => number)]);
      pushed[topic] = from + count;
      pushes.push([t, count, lastEntry]);
      total += count;
    }
    if (elapsed >= seconds * 1000) break;
  }
  const report: ProducerReport = { index, pushed, pushes, topics, latePushes };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await graph.close();
}

await main();
