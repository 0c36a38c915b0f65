import type { ChaosReport } from './run-chaos.js';

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The figures of a chaos run as a short text block (printed at the end of `npm run chaos`). */
export function formatReport(report: ChaosReport): string {
  const { durationsMs: d, kills, emulator: e, accounting: a, offline, streaming } = report;
  const lines = [
    `chaos run ${report.plan}: ${report.violations.length === 0 ? 'EXACT (every check held)' : `${report.violations.length} VIOLATIONS`}`,
    `  durations       total ${s(d.total)}; phase 1 ${s(d.phase1)}, phase 2 ${s(d.phase2)}, drain ${s(d.drain)}`,
    `  SIGKILLs        full ${kills.full}, batcher-only ${kills.batcher}, upload-only ${kills.upload}, done-only ${kills.done} (dashboard: not a command yet)`,
    `  Redis restarts  graceful ${report.redisRestarts.graceful}, SIGKILL ${report.redisRestarts.sigkill} (appendfsync always)`,
    `  API faults      500 ${e.http500}, 503 ${e.http503}, hangs ${e.hangs}, resets ${e.resets}, 429 ${e.answered429} (storm ${e.stormRejected}); clock ${e.clockSkewSeconds} s ahead, auth failures ${e.authFailures}`,
    `  API calls       ${e.requests} requests: ${e.writes} writes, ${e.dones} Dones; ${a.duplicateRequests409} answered 409 (already received)`,
    `  offline         ${offline.records} records in ${offline.batches} batches; ${offline.retriedCalls} add/seal calls retried while Redis was away`,
    ...streaming.map((t) => `  streaming       ${t.topic}: ${t.acknowledged} records acknowledged, ${t.unknown} in pushes that failed (unknown outcome)`),
    `  accounting      ${a.acknowledgedRecords} acknowledged records to accept; ledger ${a.acceptedRecords} unique ids (${a.unknownPushesAccepted} from failed pushes), each once; ${a.rejectedRecords} refused per the rule, ${a.rejectionsKept} kept with their reason`,
    `                  ${a.dones} Dones (one per date), ${a.failedJobs} failed jobs, ${a.orderingViolations} ordering violations, ${a.phantomInFlight} completed chunks left in flight`,
    ...report.violations.map((v) => `  VIOLATION       ${v}`),
  ];
  return `${lines.join('\n')}\n`;
}
