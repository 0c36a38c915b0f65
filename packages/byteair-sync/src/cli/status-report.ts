import { OFFLINE_STAGES } from '../byteair/stage.js';
import type { BatchStatus } from '../batches/batch-store.js';
import type { DailyFreshness } from '../freshness/daily-freshness.js';
import type { QueueCounts, SyncStatus, TopicStatus } from '../operations/sync-status.js';
import { formatBytes, formatDuration } from './import-progress.js';

/** Unfinished batches listed per topic; the rest are counted. */
const BATCHES_SHOWN = 10;

/** Columns padded to their widest cell; numbers right-aligned. */
export function alignColumns(rows: ReadonlyArray<readonly string[]>, indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (/^[\d/%.-]+$/.test(cell) && i > 0 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

function queueLine(name: string, q: QueueCounts): string {
  return `${name}: ${q.waiting} waiting, ${q.active} active, ${q.delayed} delayed, ${q.failed} failed${q.paused ? ' (PAUSED)' : ''}`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${Math.floor((part / whole) * 100)}%`;
}

/** One line on whether the topic's daily dates are Done on time. */
export function freshnessLine(f: DailyFreshness, zone: string): string {
  const rule = `daily Done due by ${f.doneBy ?? '-'} next day (${zone})`;
  switch (f.state) {
    case 'off':
      return 'daily freshness: not tracked (streaming-only, or BYTEAIR_DAILY_DONE_BY is off)';
    case 'not-started':
      return `daily freshness: not started (no incremental_sync_daily Done yet); ${rule}`;
    case 'on-time':
      return `daily freshness: on time through ${f.dueThrough ?? '-'}; ${rule}`;
    case 'late': {
      const listed = f.missingDates.slice(0, 5).join(', ') + (f.missingCount > 5 ? `, ... (${f.missingCount} in all)` : '');
      return `daily freshness: LATE, ${f.missingCount} date${f.missingCount === 1 ? '' : 's'} without Done (${listed}); the oldest was due ${formatDuration(f.lagSeconds * 1000)} ago; ${rule}`;
    }
  }
}

function topicLines(topic: TopicStatus, batches: readonly BatchStatus[], zone: string): string[] {
  const lines = [`${topic.topic}  (${topic.mode}, stage order ${topic.stageOrder ? 'on' : 'off'})`];
  const header = ['stage', 'batches', 'open', 'sealed', 'done-due', 'done', 'records', 'accepted', 'rejected', 'failed-chunks', 'held-jobs', 'last-done'];
  const rows = OFFLINE_STAGES.map((stage) => {
    const s = topic.stages[stage];
    return [
      ...[
        stage,
        s.batches,
        s.open,
        s.sealed,
        s.doneDue,
        s.doneAcked,
        s.records,
        s.acceptedRecords,
        s.rejectedRecords,
        s.failedChunks,
        topic.heldJobs[stage],
      ].map(String),
      s.lastDoneDate ?? '-',
    ];
  });
  lines.push(...alignColumns([header, ...rows], '  '));
  lines.push(`  ${freshnessLine(topic.dailyFreshness, zone)}`);

  const unfinished = batches.filter((b) => b.topic === topic.topic && b.state !== 'done-acked');
  if (unfinished.length > 0) {
    lines.push('  unfinished batches:');
    const rowsShown = unfinished
      .slice(0, BATCHES_SHOWN)
      .map((b) => [
        b.stage,
        b.date,
        b.state,
        `${b.records} records`,
        `${b.settledChunks}/${b.chunks} chunks uploaded`,
        percent(b.settledChunks, b.chunks),
        b.failedChunks.length > 0 ? `${b.failedChunks.length} failed (replay them)` : '',
      ]);
    lines.push(...alignColumns(rowsShown, '    '));
    if (unfinished.length > BATCHES_SHOWN) lines.push(`    ... and ${unfinished.length - BATCHES_SHOWN} more (status --json lists all)`);
  }

  const st = topic.streaming;
  const held = topic.streamingAllowed ? 'flowing' : 'HELD until the first incremental_sync_daily Done';
  const oldest = st.waiting > 0 ? ` (oldest waited ${formatDuration(st.oldestWaitingMs)})` : '';
  lines.push(
    `  streaming: ${held}; ${st.pushed} pushed, ${st.waiting} waiting in the intake${oldest}, ${st.chunksInFlight} chunks in flight, ${st.accepted} accepted, ${topic.heldJobs.incremental_sync_streaming} held jobs`,
  );
  return lines;
}

/** The human reading of `status`: system-wide lines, then one block per topic. Pure. */
export function formatStatus(status: SyncStatus, zone: string): string[] {
  const { limiter: l, circuit: c, queues } = status;
  const lines = [`byteair-sync status at ${new Date(status.at).toISOString()}`];
  lines.push(`queues   ${queueLine('upload', queues.upload)}; ${queueLine('done', queues.done)}`);
  const ceiling = l.ceilingFactor < 1 ? `, lowered to ${Math.round(l.ceilingFactor * 100)}% after 429s` : '';
  const paused = l.pausedUntil > l.at ? `, paused for ${formatDuration(l.pausedUntil - l.at)} (Retry-After)` : '';
  lines.push(
    `limiter  last second: ${l.requestsInWindow}/${l.effectiveRequestsPerSecond} requests (${percent(l.requestsInWindow, l.effectiveRequestsPerSecond)}), ${l.recordsInWindow}/${l.effectiveRecordsPerSecond} records (${percent(l.recordsInWindow, l.effectiveRecordsPerSecond)})${ceiling}${paused}`,
    `         window 1000 + ${l.marginMs} ms margin (path spread ${Math.round(l.pathSpreadMs)} ms)`,
  );
  const circuitDetail =
    c.state === 'closed'
      ? c.consecutiveFailures > 0
        ? ` (${c.consecutiveFailures} failures in a row)`
        : ''
      : ` since ${new Date(c.openedAt).toISOString()}, next probe ${new Date(c.reopensAt).toISOString()} (API unavailable)`;
  lines.push(`circuit  ${c.state}${circuitDetail}`);
  const used = status.redisMemory.usedBytes;
  const max = status.redisMemory.maxBytes;
  lines.push(`redis    ${formatBytes(used)} used${max > 0 ? ` of ${formatBytes(max)} maxmemory (${percent(used, max)})` : ', no maxmemory set'}`);
  for (const topic of status.topics) lines.push('', ...topicLines(topic, status.batches, zone));
  return lines;
}
