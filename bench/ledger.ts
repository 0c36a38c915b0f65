import { performance } from 'node:perf_hooks';
import { IdCounts } from 'byteair-emulator';
import { SETTINGS } from 'byteair-sync/internal/src/config/settings.js';
import { BenchFlags } from './harness/flags.js';
import { median, round } from './harness/figures.js';
import { describeMachine } from './harness/machine.js';

/**
 * `npm run bench -- ledger [--ids 4000000] [--runs 3]`
 *
 * The emulator's id ledger (src/emulator/id-counts.ts) is updated on the thread that stamps
 * request arrivals, so its longest single update is a stall of the API's front door: a request
 * arriving then is stamped late and may land in a later sliding second than it was sent in.
 * Each run counts `ids` distinct ids (shaped like the benches' record ids) into a fresh ledger
 * and times every increment; the target keeps the worst under the limiter's default safety
 * margin, the lateness the client's bookings absorb.
 */
export async function runLedgerBench(rawArgs: readonly string[]): Promise<void> {
  const flags = new BenchFlags(rawArgs);
  const ids = flags.count('ids', 4_000_000);
  const runs = flags.count('runs', 3);
  const results = [];
  for (let run = 0; run < runs; run += 1) {
    const counts = new IdCounts();
    let worst = 0;
    let worstAt = 0;
    let over5 = 0;
    const start = performance.now();
    for (let i = 0; i < ids; i += 1) {
      const before = performance.now();
      counts.increment(`item-2022-06-01-${i}`);
      const took = performance.now() - before;
      if (took > 5) over5 += 1;
      if (took > worst) {
        worst = took;
        worstAt = i;
      }
    }
    const seconds = (performance.now() - start) / 1000;
    if (counts.size !== ids) throw new Error(`the ledger holds ${counts.size} ids, expected ${ids}`);
    results.push({ worstIncrementMs: round(worst, 1), worstAtId: worstAt, incrementsOver5Ms: over5, nsPerId: round((seconds * 1e9) / ids, 0) });
    process.stderr.write(`  run ${run + 1}/${runs}: worst increment ${round(worst, 1)} ms (at id ${worstAt}), ${results[run]?.nsPerId} ns per id\n`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const worst = median(results.map((r) => r.worstIncrementMs));
  const target = { worstIncrementMs: Number(SETTINGS.limiterMarginMs.default) };
  const pass = worst <= target.worstIncrementMs;
  process.stdout.write(
    `${JSON.stringify({ bench: 'ledger', machine: describeMachine(), ids, runs: results, medianWorstIncrementMs: worst, peakRssMiB: round(process.memoryUsage().rss / 2 ** 20, 1), target, pass }, null, 2)}\n`,
  );
  process.stderr.write(
    `ledger (${ids} ids): worst single increment median ${worst} ms over ${runs} runs — target ≤${target.worstIncrementMs} ms (the default limiter margin): ${pass ? 'PASS' : 'FAIL'}\n`,
  );
  if (!pass) process.exitCode = 1;
}
