import type { LimiterUsage } from '../../src/limiter/rate-limiter.js';
import { renderLimiterChart } from '../../dashboards/limiter-chart.js';

/** 2026-01-01T00:00:00Z: an arbitrary, readable Redis time for the newest sample. */
const END = Date.UTC(2026, 0, 1, 0, 0, 0);
const OPTIONS = { spanMs: 60_000, gapMs: 3_000 };

function sample(at: number, requests: number, factor = 1): LimiterUsage {
  return {
    requestsInWindow: requests,
    recordsInWindow: requests * 10,
    maxRequestsPerSecond: 100,
    maxRecordsPerSecond: 1_000,
    effectiveRequestsPerSecond: 100 * factor,
    effectiveRecordsPerSecond: 1_000 * factor,
    ceilingFactor: factor,
    pausedUntil: 0,
    at,
    marginMs: 30,
    pathSpreadMs: 0,
  };
}

function polylines(svg: string): Array<{ className: string; points: Array<[number, number]> }> {
  return [...svg.matchAll(/<polyline class="([^"]+)" points="([^"]*)"/g)].map((m) => ({
    className: m[1] ?? '',
    points: (m[2] ?? '').split(' ').map((p) => p.split(',').map(Number) as [number, number]),
  }));
}

test('without samples it says so instead of drawing an empty chart', () => {
  const out = renderLimiterChart([], OPTIONS).toString();
  expect(out).toContain('No limiter samples yet');
  expect(out).not.toContain('<svg');
});

test('one line per series (requests, records, ceiling), the ceiling dashed, ending at the newest sample', () => {
  const out = renderLimiterChart([sample(END - 2_000, 50), sample(END - 1_000, 100), sample(END, 0)], OPTIONS).toString();
  const lines = polylines(out);
  expect(lines.map((l) => l.className)).toEqual(['swatch-req', 'swatch-rec', 'swatch-factor']);
  expect(out.match(/stroke-dasharray/g)).toHaveLength(1);
  expect(out).toMatch(/class="swatch-factor"[^>]*stroke-dasharray/);
  // The newest sample sits on the right edge of the plot (900 wide, 12 right padding).
  expect(lines[0]?.points.at(-1)?.[0]).toBe(888);
  expect(out).toContain('now (00:00:00 UTC)');
  expect(out).toContain('aria-label="Limiter use over the last 1 minutes"');
});

test('y is the share of the configured ceiling: 0 % at the bottom, 100 % below the top, above 110 % clipped', () => {
  const out = renderLimiterChart([sample(END - 1_000, 0), sample(END - 500, 100), sample(END, 500)], OPTIONS).toString();
  const requests = polylines(out)[0]?.points.map(([, y]) => y);
  // Plot from y=10 (top padding) to y=196 (220 minus 24 bottom padding), 0..110 %.
  expect(requests).toEqual([196, 26.9, 10]);
});

test('samples further apart than gapMs are not joined: a read that failed shows as a gap', () => {
  const out = renderLimiterChart([sample(END - 20_000, 10), sample(END - 19_000, 10), sample(END - 1_000, 10), sample(END, 10)], OPTIONS).toString();
  const requests = polylines(out).filter((l) => l.className === 'swatch-req');
  expect(requests.map((l) => l.points.length)).toEqual([2, 2]);
});

test('samples older than the span are left out', () => {
  const out = renderLimiterChart([sample(END - 120_000, 10), sample(END - 59_000, 10), sample(END, 10)], { spanMs: 60_000, gapMs: 120_000 }).toString();
  const xs = polylines(out)[0]?.points.map(([x]) => x) ?? [];
  expect(xs).toHaveLength(2);
  // The left edge of the plot is x=44.
  expect(Math.min(...xs)).toBeGreaterThanOrEqual(44);
});
