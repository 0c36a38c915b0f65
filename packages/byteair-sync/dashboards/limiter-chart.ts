import type { LimiterUsage } from '../src/limiter/rate-limiter.js';
import { html, type SafeHtml } from './html.js';

export interface LimiterChartOptions {
  /** Time span drawn, ending at the newest sample. */
  readonly spanMs: number;
  /** Samples further apart than this are not joined (the sampler could not read). */
  readonly gapMs: number;
}

const WIDTH = 900;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 10, bottom: 24 };

interface Series {
  readonly className: string;
  readonly dashed: boolean;
  readonly value: (u: LimiterUsage) => number;
}

/** Each line is a share of the configured ceiling (100 % = BYTEAIR_MAX_*_PER_SECOND). */
const SERIES: readonly Series[] = [
  { className: 'swatch-req', dashed: false, value: (u) => u.requestsInWindow / u.maxRequestsPerSecond },
  { className: 'swatch-rec', dashed: false, value: (u) => u.recordsInWindow / u.maxRecordsPerSecond },
  { className: 'swatch-factor', dashed: true, value: (u) => u.ceilingFactor },
];

function x(at: number, end: number, spanMs: number): number {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  return PAD.left + plotWidth * (1 - (end - at) / spanMs);
}

function y(share: number): number {
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const clipped = Math.min(Math.max(share, 0), 1.1);
  return PAD.top + plotHeight * (1 - clipped / 1.1);
}

/** Polylines, split wherever two samples are further apart than gapMs. */
function paths(samples: readonly LimiterUsage[], series: Series, end: number, options: LimiterChartOptions): string[] {
  const runs: string[][] = [];
  let previous: LimiterUsage | undefined;
  for (const sample of samples) {
    if (previous === undefined || sample.at - previous.at > options.gapMs) runs.push([]);
    runs[runs.length - 1]?.push(`${x(sample.at, end, options.spanMs).toFixed(1)},${y(series.value(sample)).toFixed(1)}`);
    previous = sample;
  }
  return runs.map((run) => run.join(' '));
}

/**
 * The global limiter's use over time as inline SVG: no script, no library, drawn on the
 * server from the in-memory samples, so it works offline and under a script-free CSP.
 */
export function renderLimiterChart(allSamples: readonly LimiterUsage[], options: LimiterChartOptions): SafeHtml {
  const last = allSamples[allSamples.length - 1];
  if (last === undefined) return html`<p class="note">No limiter samples yet (one is taken every second).</p>`;
  const end = last.at;
  const samples = allSamples.filter((s) => s.at >= end - options.spanMs);
  const grid = [0, 0.5, 1].map(
    (share) =>
      html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(share).toFixed(1)}" y2="${y(share).toFixed(1)}" stroke="#d8dee6" stroke-width="1"/><text x="${PAD.left - 6}" y="${(y(share) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#5f6b7a">${Math.round(share * 100)}%</text>`,
  );
  const minutes = Math.round(options.spanMs / 60_000);
  const ticks = [
    html`<text x="${PAD.left}" y="${HEIGHT - 6}" font-size="11" fill="#5f6b7a">-${minutes} min</text>`,
    html`<text x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" text-anchor="end" font-size="11" fill="#5f6b7a">now (${new Date(end).toISOString().slice(11, 19)} UTC)</text>`,
  ];
  const lines = SERIES.flatMap((series) =>
    paths(samples, series, end, options).map(
      (points) =>
        html`<polyline class="${series.className}" points="${points}" fill="none" stroke="currentColor" stroke-width="1.6"${series.dashed ? html` stroke-dasharray="5 3"` : ''}/>`,
    ),
  );
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Limiter use over the last ${minutes} minutes">${grid}${ticks}${lines}</svg>`;
}
