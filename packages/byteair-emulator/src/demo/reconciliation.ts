import type { Stage } from 'byteair-sync/internal/src/byteair/stage.js';
import type { EmulatorStats } from '../emulator/emulator-stats.js';

export interface SentCount {
  readonly topic: string;
  readonly stage: Stage;
  readonly records: number;
  /** Dates sent (offline stages), each expecting exactly one Done. */
  readonly dates: readonly string[];
}

interface ReconciliationRow {
  readonly topic: string;
  readonly stage: Stage;
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: number;
  /** sent - accepted - rejected: records unaccounted for (must be 0). */
  readonly missing: number;
  /** Dates with exactly one Done / dates sent; null for streaming. */
  readonly donesOk: number | null;
  readonly dates: number | null;
}

export interface Reconciliation {
  readonly rows: readonly ReconciliationRow[];
  readonly orderingViolations: number;
  readonly duplicateIds: number;
  readonly maxRecordsInWindow: number;
  readonly maxRequestsInWindow: number;
  readonly balanced: boolean;
}

/** Compares what the demo sent with what the emulator saw. Pure. */
export function reconcile(sent: readonly SentCount[], stats: EmulatorStats): Reconciliation {
  const rows = sent.map((s): ReconciliationRow => {
    const dates = stats.dates.filter((d) => d.topic === s.topic && d.stage === s.stage);
    const accepted = dates.reduce((sum, d) => sum + d.acceptedRecords, 0);
    const rejected = dates.reduce((sum, d) => sum + d.rejectedRecords, 0);
    const streaming = s.stage === 'incremental_sync_streaming';
    const donesOk = streaming
      ? null
      : s.dates.filter((date) => stats.dones.filter((d) => d.topic === s.topic && d.stage === s.stage && d.newlyAcked.includes(date)).length === 1).length;
    return {
      topic: s.topic,
      stage: s.stage,
      sent: s.records,
      accepted,
      rejected,
      missing: s.records - accepted - rejected,
      donesOk,
      dates: streaming ? null : s.dates.length,
    };
  });
  const duplicateIds = Object.values(stats.topics).reduce((sum, t) => sum + t.duplicateIds, 0);
  const balanced =
    rows.every((r) => r.missing === 0 && (r.donesOk === null || r.donesOk === r.dates)) && stats.totals.orderingViolations === 0 && duplicateIds === 0;
  return {
    rows,
    orderingViolations: stats.totals.orderingViolations,
    duplicateIds,
    maxRecordsInWindow: stats.windows.maxRecordsInWindow,
    maxRequestsInWindow: stats.windows.maxRequestsInWindow,
    balanced,
  };
}

export function renderReconciliation(r: Reconciliation, limits: { maxRequestsPerSecond: number; maxRecordsPerSecond: number }): string {
  const header = ['topic', 'stage', 'sent', 'accepted', 'rejected', 'missing', 'Done per date'];
  const body = r.rows.map((row) => [
    row.topic,
    row.stage,
    row.sent.toLocaleString('en-US'),
    row.accepted.toLocaleString('en-US'),
    row.rejected.toLocaleString('en-US'),
    String(row.missing),
    row.donesOk === null ? '-' : `${row.donesOk}/${row.dates ?? 0}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
    '',
    `ordering violations: ${r.orderingViolations}    records accepted twice: ${r.duplicateIds}`,
    `busiest second seen by the API: ${r.maxRequestsInWindow} requests (limit ${limits.maxRequestsPerSecond}), ${r.maxRecordsInWindow.toLocaleString('en-US')} records (limit ${limits.maxRecordsPerSecond.toLocaleString('en-US')})`,
    r.balanced ? 'reconciliation: every record accounted for, one Done per date, stages in order' : 'reconciliation: MISMATCH (see the rows above)',
  ].join('\n');
}
