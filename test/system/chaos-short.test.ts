import { SHORT_PLAN } from '../chaos/chaos-plan.js';
import { formatReport } from '../chaos/chaos-summary.js';
import { runChaos } from '../chaos/run-chaos.js';

/**
 * The CI variant of `npm run chaos` (test/chaos/, docs/durability.md): two
 * rounds of every fault under streaming and offline load, then the exact accounting. The full
 * run is the same engine with five longer rounds and about seven times the data.
 */
test('chaos (short): worker, batcher and Redis kills and API faults under load; the accounting is exact', async () => {
  const report = await runChaos(SHORT_PLAN);
  process.stdout.write(formatReport(report));
  expect(report.violations).toEqual([]);
  // The chaos happened: a run whose faults never fired would prove nothing.
  expect(report.kills).toEqual({ full: 4, batcher: 4, upload: 2, done: 2 });
  expect(report.redisRestarts).toEqual({ graceful: 2, sigkill: 2 });
  const e = report.emulator;
  expect(e.http503).toBeGreaterThan(0);
  expect(e.http500 + e.hangs + e.resets).toBeGreaterThan(0);
  expect(e.stormRejected).toBeGreaterThan(0);
  expect(report.accounting.duplicateRequests409).toBeGreaterThan(0);
  expect(report.accounting.rejectedRecords).toBeGreaterThan(0);
  expect(report.streaming.every((t) => t.acknowledged > 0)).toBe(true);
}, 300_000);
