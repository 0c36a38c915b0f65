import type { Clock } from '../clock.js';
import type { ImportProgress } from '../import/import-file.js';

/** Where progress goes: a terminal gets one redrawn line, anything else plain lines. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressFigures {
  readonly records: number;
  readonly chunks: number;
  readonly recordsPerSecond: number;
  /** 0..1 of the input read, when its size is known. */
  readonly fraction: number | undefined;
  readonly etaMs: number | undefined;
}

/** Pure: the figures a progress line shows, from the import's counters and the time since it began. */
export function progressFigures(progress: ImportProgress, elapsedMs: number): ProgressFigures {
  const seconds = elapsedMs / 1000;
  const recordsPerSecond = seconds > 0 ? progress.records / seconds : 0;
  const fraction = progress.totalBytes !== undefined && progress.totalBytes > 0 ? Math.min(1, progress.bytesRead / progress.totalBytes) : undefined;
  // Bytes read is the honest measure of the way left: records per byte varies, bytes do not lie about the rest.
  const etaMs = fraction !== undefined && fraction > 0 && progress.records > 0 ? (elapsedMs * (1 - fraction)) / fraction : undefined;
  return { records: progress.records, chunks: progress.chunks, recordsPerSecond, fraction, etaMs };
}

/** `1:02:03`, `2:03` or `0:07`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const BAR_WIDTH = 20;

function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The redrawn terminal line: bar (when the size is known), records, chunks, rate, ETA; cut to the terminal width. */
export function formatTtyLine(label: string, f: ProgressFigures, columns: number): string {
  const parts = [label];
  if (f.fraction !== undefined) {
    const filled = Math.round(f.fraction * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(f.fraction * 100)).padStart(3)}%`);
  }
  parts.push(`${grouped(f.records)} records`, `${grouped(f.chunks)} chunks`, `${grouped(f.recordsPerSecond)} rec/s`);
  if (f.etaMs !== undefined) parts.push(`ETA ${formatDuration(f.etaMs)}`);
  const line = parts.join('  ');
  return line.length >= columns ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/** The plain line for logs and pipes: stable words, no separators in numbers. */
export function formatPlainLine(label: string, f: ProgressFigures): string {
  const read = f.fraction === undefined ? '' : `, ${Math.floor(f.fraction * 100)}% read`;
  const eta = f.etaMs === undefined ? '' : `, ETA ${formatDuration(f.etaMs)}`;
  return `progress ${label}: ${f.records} records, ${f.chunks} chunks, ${Math.round(f.recordsPerSecond)} records/s${read}${eta}`;
}

/** Terminal redraws are capped, so a fast import does not spend its time painting. */
const REDRAW_MS = 100;

/**
 * Shows import progress: on a terminal one line redrawn in place; otherwise a plain line
 * every `intervalMs` (0 = on every chunk). The clock is injected, so tests need no waiting.
 */
export class ImportProgressReporter {
  readonly #out: ProgressStream;
  readonly #clock: Clock;
  readonly #label: string;
  readonly #intervalMs: number;
  readonly #startedAt: number;
  #shownAt: number;
  #drawn = false;

  constructor(options: { out: ProgressStream; clock: Clock; label: string; intervalMs: number }) {
    this.#out = options.out;
    this.#clock = options.clock;
    this.#label = options.label;
    this.#intervalMs = options.intervalMs;
    this.#startedAt = options.clock.now();
    this.#shownAt = this.#startedAt;
  }

  get elapsedMs(): number {
    return this.#clock.now() - this.#startedAt;
  }

  update(progress: ImportProgress): void {
    const now = this.#clock.now();
    const tty = this.#out.isTTY === true;
    const due = tty ? !this.#drawn || now - this.#shownAt >= REDRAW_MS : now - this.#shownAt >= this.#intervalMs;
    if (!due) return;
    this.#shownAt = now;
    const figures = progressFigures(progress, now - this.#startedAt);
    if (tty) {
      this.#out.write(`\r\x1b[2K${formatTtyLine(this.#label, figures, this.#out.columns ?? 80)}`);
      this.#drawn = true;
    } else {
      this.#out.write(`${formatPlainLine(this.#label, figures)}\n`);
    }
  }

  /** Removes the redrawn line, before a summary or an error is printed. */
  clear(): void {
    if (this.#drawn) this.#out.write('\r\x1b[2K');
    this.#drawn = false;
  }
}

/** `812 B`, `1.5 MB`, `2.31 GB` (decimal units, as disks are sold). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit] ?? 'TB'}`;
}
