import type { Clock } from '../../src/clock.js';
import { formatBytes, formatDuration, formatTtyLine, ImportProgressReporter, progressFigures } from '../../src/cli/import-progress.js';
import type { ImportProgress } from '../../src/import/import-file.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

function sink(isTTY: boolean): { out: { write(text: string): boolean; isTTY: boolean; columns: number }; text(): string } {
  const written: string[] = [];
  return {
    out: { write: (text) => written.push(text) > 0, isTTY, columns: 200 },
    text: () => written.join(''),
  };
}

/** `totalBytes` null: a source of unknown size (stdin). */
const progress = (records: number, bytesRead: number, totalBytes: number | null = 1000): ImportProgress => ({
  records,
  chunks: Math.ceil(records / 10),
  jsonBytes: records * 10,
  bytesRead,
  totalBytes: totalBytes ?? undefined,
});

test('figures: rate from records and time, ETA from the share of bytes read; none without a size', () => {
  expect(progressFigures(progress(500, 250), 10_000)).toEqual({ records: 500, chunks: 50, recordsPerSecond: 50, fraction: 0.25, etaMs: 30_000 });
  expect(progressFigures(progress(500, 250, null), 10_000)).toMatchObject({ fraction: undefined, etaMs: undefined });
});

test('the terminal line: bar, percent, grouped numbers, rate, ETA; cut to the width', () => {
  const line = formatTtyLine('items.jsonl', progressFigures(progress(1_234_567, 500), 20_000), 200);
  expect(line).toBe('items.jsonl  [##########----------]  50%  1,234,567 records  123,457 chunks  61,728 rec/s  ETA 0:20');
  expect(formatTtyLine('items.jsonl', progressFigures(progress(1, 500), 20_000), 20)).toHaveLength(19);
});

test('on a terminal one line is redrawn in place, at most every 100 ms, and cleared at the end', () => {
  const clock = manualClock();
  const { out, text } = sink(true);
  const reporter = new ImportProgressReporter({ out, clock, label: 'f', intervalMs: 10_000 });
  clock.advance(1000);
  reporter.update(progress(10, 100));
  clock.advance(50);
  reporter.update(progress(20, 200)); // too soon: not drawn
  clock.advance(50);
  reporter.update(progress(30, 300));
  reporter.clear();
  const draws = text().split('\r\x1b[2K');
  expect(draws.filter((d) => d !== '')).toEqual([
    expect.stringMatching(/^f {2}\[##-+\] {2}10% {2}10 records/),
    expect.stringMatching(/^f {2}\[#+-+\] {2}30% {2}30 records/),
  ]);
  expect(text().endsWith('\r\x1b[2K')).toBe(true);
  expect(text()).not.toContain('\n');
});

test('elsewhere a plain line every interval, and nothing to clear', () => {
  const clock = manualClock();
  const { out, text } = sink(false);
  const reporter = new ImportProgressReporter({ out, clock, label: 'f', intervalMs: 5000 });
  clock.advance(4999);
  reporter.update(progress(10, 100));
  clock.advance(1);
  reporter.update(progress(20, 200));
  clock.advance(4000);
  reporter.update(progress(30, 300));
  reporter.clear();
  expect(text()).toBe('progress f: 20 records, 2 chunks, 4 records/s, 20% read, ETA 0:20\n');
});

test('durations and sizes read as people write them', () => {
  expect([formatDuration(7_400), formatDuration(123_000), formatDuration(3_723_000)]).toEqual(['0:07', '2:03', '1:02:03']);
  expect([formatBytes(812), formatBytes(1_500_000), formatBytes(2_310_000_000)]).toEqual(['812 B', '1.50 MB', '2.31 GB']);
});
