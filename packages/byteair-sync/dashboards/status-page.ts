import type { BatchStatus } from '../src/batches/batch-store.js';
import { formatBytes } from '../src/cli/import-progress.js';
import { OFFLINE_STAGES } from '../src/byteair/stage.js';
import type { DailyFreshness } from '../src/freshness/daily-freshness.js';
import type { LimiterUsage } from '../src/limiter/rate-limiter.js';
import type { QueueCounts, StageProgress, SyncStatus, TopicStatus } from '../src/operations/sync-status.js';
import { html, type SafeHtml } from './html.js';
import { renderLimiterChart } from './limiter-chart.js';
import { renderPage } from './page-layout.js';
import { count, duration, percent, time } from './status-format.js';

export interface StatusPageOptions {
  readonly authEnabled: boolean;
  readonly readOnly: boolean;
  /** The batch table lists the newest this many (a deployment may keep thousands). */
  readonly maxBatchRows: number;
  readonly chartSpanMs: number;
  readonly chartGapMs: number;
  readonly refreshSeconds: number;
}

const STAGE_TITLES: Readonly<Record<(typeof OFFLINE_STAGES)[number], string>> = {
  pre_sync: 'pre_sync',
  history_sync: 'history_sync',
  incremental_sync_daily: 'daily',
};

function stageCell(p: StageProgress): SafeHtml {
  if (p.batches === 0) return html`<td class="muted">—</td>`;
  const failed = p.failedChunks > 0 ? html`<br><span class="bad">${count(p.failedChunks)} failed chunks</span>` : '';
  const rejected = p.rejectedRecords > 0 ? html`<br><span class="warn">${count(p.rejectedRecords)} rejected</span>` : '';
  const last = p.lastDoneDate === null ? '' : html`<br><span class="muted">last Done ${p.lastDoneDate}</span>`;
  return html`<td>${p.doneAcked}/${p.batches} batches done<br>${count(p.acceptedRecords)} / ${count(p.records)} records${rejected}${failed}${last}</td>`;
}

function freshnessCell(f: DailyFreshness): SafeHtml {
  switch (f.state) {
    case 'off':
      return html`<td class="muted">not tracked</td>`;
    case 'not-started':
      return html`<td><span class="muted">no daily Done yet</span><br><span class="muted">due by ${f.doneBy ?? ''} next day</span></td>`;
    case 'on-time':
      return html`<td><span class="pill ok">on time</span><br><span class="muted">through ${f.dueThrough ?? ''}</span></td>`;
    case 'late':
      return html`<td><span class="pill bad">late</span><br>${count(f.missingCount)} date${f.missingCount === 1 ? '' : 's'} without Done: ${f.missingDates.slice(0, 3).join(', ')}${f.missingCount > 3 ? ' …' : ''}<br><span class="bad">oldest due ${duration(f.lagSeconds * 1000)} ago</span></td>`;
  }
}

function streamingCell(t: TopicStatus): SafeHtml {
  if (t.streamingAllowed) return html`<td><span class="pill ok">flowing</span></td>`;
  return html`<td><span class="pill warn">held</span><br><span class="muted">until the first daily Done</span></td>`;
}

function heldCell(held: TopicStatus['heldJobs']): SafeHtml {
  const parts = Object.entries(held).filter(([, n]) => n > 0);
  if (parts.length === 0) return html`<td class="num">0</td>`;
  return html`<td>${parts.map(([stage, n], i) => html`${i > 0 ? html`<br>` : ''}${stage}: ${count(n)}`)}</td>`;
}

function topicsTable(topics: readonly TopicStatus[]): SafeHtml {
  const rows = topics.map((t) => {
    const firstDone =
      t.firstDailyDone === null
        ? html`<span class="muted">not yet</span>`
        : html`${t.firstDailyDone.date}<br><span class="muted">${time(t.firstDailyDone.at)}</span>`;
    const s = t.streaming;
    return html`<tr><th scope="row">${t.topic}</th><td>${t.mode}${t.stageOrder ? '' : html`<br><span class="muted">stages unordered</span>`}</td>${OFFLINE_STAGES.map((stage) => stageCell(t.stages[stage]))}<td>${firstDone}</td>${freshnessCell(t.dailyFreshness)}${streamingCell(t)}<td class="num">${count(s.waiting)}</td><td class="num">${s.waiting > 0 ? duration(s.oldestWaitingMs) : '—'}</td><td class="num">${count(s.chunksInFlight)}</td><td class="num">${count(s.accepted)} / ${count(s.pushed)}</td>${heldCell(t.heldJobs)}</tr>`;
  });
  return html`<table id="topics"><thead><tr><th>Topic</th><th>Mode</th>${OFFLINE_STAGES.map((stage) => html`<th>${STAGE_TITLES[stage]}</th>`)}<th>First daily Done</th><th>Daily freshness</th><th>Streaming</th><th>Backlog (records)</th><th>Oldest waiting</th><th>Chunks in flight</th><th>Streamed accepted / pushed</th><th>Held jobs</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const STATE_CLASS: Readonly<Record<BatchStatus['state'], string>> = { open: 'muted', sealed: 'warn', 'done-due': 'warn', 'done-acked': 'ok' };

function batchesTable(batches: readonly BatchStatus[], max: number): SafeHtml {
  if (batches.length === 0) return html`<p class="note">No offline batches yet.</p>`;
  const shown = batches.slice(0, max);
  const rows = shown.map((b) => {
    const reasons =
      b.failedChunks.length === 0 ? '' : html`<ul class="reasons">${b.failedChunks.map((f) => html`<li><code>${f.requestId}</code>: ${f.reason}</li>`)}</ul>`;
    return html`<tr><th scope="row">${b.batchId}</th><td><span class="pill ${STATE_CLASS[b.state]}">${b.state}</span></td><td><progress max="${Math.max(b.chunks, 1)}" value="${b.settledChunks}"></progress> ${b.settledChunks}/${b.chunks} chunks (${percent(b.settledChunks, b.chunks)})</td><td class="num">${count(b.acceptedRecords)} / ${count(b.records)}</td><td class="num">${count(b.rejectedRecords)}</td><td>${time(b.createdAt)}</td><td>${time(b.sealedAt)}</td><td>${time(b.doneAckedAt)}</td><td>${b.failedChunks.length === 0 ? html`<span class="muted">none</span>` : reasons}</td></tr>`;
  });
  const more =
    batches.length > shown.length
      ? html`<p class="note">Showing the newest ${shown.length} of ${count(batches.length)} batches; /api/status lists all.</p>`
      : '';
  return html`${more}<table id="batches"><thead><tr><th>Batch</th><th>State</th><th>Progress</th><th>Accepted / records</th><th>Rejected</th><th>Created</th><th>Sealed</th><th>Done acknowledged</th><th>Failed chunks</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function queueCard(name: string, q: QueueCounts): SafeHtml {
  const paused = q.paused ? html` <span class="pill warn">paused</span>` : '';
  return html`<div class="card">Queue <code>${name}</code>${paused}<b>${count(q.waiting)} waiting</b>${count(q.active)} active · ${count(q.delayed)} delayed<br>${count(q.completed)} completed · <span class="${q.failed > 0 ? 'bad' : ''}">${count(q.failed)} failed</span></div>`;
}

function circuitCard(status: SyncStatus): SafeHtml {
  const c = status.circuit;
  const cls = c.state === 'closed' ? 'ok' : c.state === 'open' ? 'bad' : 'warn';
  const detail =
    c.state === 'closed' ? html`${c.consecutiveFailures} consecutive failures` : html`opened ${time(c.openedAt)}<br>next probe ${time(c.reopensAt)}`;
  return html`<div class="card">Circuit <b class="${cls}">${c.state}</b>${detail}</div>`;
}

function limiterCard(u: LimiterUsage): SafeHtml {
  const paused = u.pausedUntil > u.at ? html`<br><span class="warn">paused by a 429 for ${duration(u.pausedUntil - u.at)}</span>` : '';
  return html`<div class="card">Limiter (last second)<b>${count(u.requestsInWindow)} / ${count(u.effectiveRequestsPerSecond)} requests</b>${count(u.recordsInWindow)} / ${count(u.effectiveRecordsPerSecond)} records<br>ceiling ${Math.round(u.ceilingFactor * 100)} % of configured<br>margin ${count(u.marginMs)} ms (path spread ${count(Math.round(u.pathSpreadMs))} ms)${paused}</div>`;
}

function redisCard(status: SyncStatus): SafeHtml {
  const { usedBytes, maxBytes } = status.redisMemory;
  const share = maxBytes > 0 ? usedBytes / maxBytes : 0;
  const cls = share >= 0.9 ? 'bad' : share >= 0.75 ? 'warn' : '';
  const limit = maxBytes > 0 ? html`of ${formatBytes(maxBytes)} maxmemory (${percent(usedBytes, maxBytes)})` : html`no maxmemory set`;
  return html`<div class="card">Redis memory<b class="${cls}">${formatBytes(usedBytes)}</b>${limit}</div>`;
}

/** The sync status page: topics, batches, limiter over time, circuit and queues. */
export function renderStatusPage(status: SyncStatus, samples: readonly LimiterUsage[], options: StatusPageOptions): string {
  const content = html`<p class="note">As of ${time(status.at)}; reloads every ${options.refreshSeconds} s. Bull Board is ${options.readOnly ? 'read-only' : 'writable'}.</p>
<div class="cards">${circuitCard(status)}${queueCard('upload', status.queues.upload)}${queueCard('done', status.queues.done)}${limiterCard(status.limiter)}${redisCard(status)}</div>
<h2>Topics</h2>
${topicsTable(status.topics)}
<h2>Limiter use over time</h2>
<div class="chart">${renderLimiterChart(samples, { spanMs: options.chartSpanMs, gapMs: options.chartGapMs })}
<p class="legend"><span class="swatch-req">━ requests / s (share of ${count(status.limiter.maxRequestsPerSecond)})</span><span class="swatch-rec">━ records / s (share of ${count(status.limiter.maxRecordsPerSecond)})</span><span class="swatch-factor">╌ ceiling after 429s (AIMD)</span></p></div>
<h2>Batches</h2>
${batchesTable(status.batches, options.maxBatchRows)}`;
  return renderPage({ title: 'Sync status', content, nav: true, authEnabled: options.authEnabled, refreshSeconds: options.refreshSeconds });
}
