import { writeFileSync } from 'node:fs';
import { fullPlan } from './chaos-plan.js';
import { formatReport } from './chaos-summary.js';
import { runChaos } from './run-chaos.js';

/**
 * `npm run chaos`: the full chaos run (docs/durability.md). Not part of `npm test` (the name
 * does not end in .test.ts); the CI variant is test/system/chaos-short.test.ts.
 *   CHAOS_CYCLES=5                      rounds of every fault in phase 2
 *   CHAOS_REPORT=path.json              also write the report as JSON
 *   CHAOS_PUSH_THROUGH_REDIS_RESTARTS=1 keep pushing while Redis restarts (exposes gap B1)
 */
const cycles = Number(process.env.CHAOS_CYCLES ?? '5');

test(`full chaos run (${cycles} cycles): the accounting is exact`, async () => {
  if (!Number.isInteger(cycles) || cycles < 1) throw new Error(`CHAOS_CYCLES must be a whole number of at least 1 (got ${process.env.CHAOS_CYCLES ?? ''})`);
  const plan = { ...fullPlan(cycles), pushThroughRedisRestarts: process.env.CHAOS_PUSH_THROUGH_REDIS_RESTARTS === '1' };
  const report = await runChaos(plan, (step) => process.stdout.write(`  ${(step.atMs / 1000).toFixed(1).padStart(6)} s  ${step.step} (${step.tookMs} ms)\n`));
  process.stdout.write(formatReport(report));
  const out = process.env.CHAOS_REPORT;
  if (out !== undefined && out !== '') writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  expect(report.violations).toEqual([]);
}, 3_600_000);
