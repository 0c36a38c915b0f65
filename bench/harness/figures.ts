/** Small, exact statistics for benchmark figures. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * The largest value; NaN when there are none. A loop, not Math.max(...values): spreading
 * puts every value on the stack, which overflows it beyond roughly 100 000 values (the
 * latency bench has one value per pushed record, 300 000 of them).
 */
export function maximum(values: Iterable<number>): number {
  let max = Number.NaN;
  for (const value of values) if (Number.isNaN(max) || value > max) max = value;
  return max;
}

/** Median and range of one figure over several runs. */
export function spread(values: readonly number[], digits = 3): { median: number; min: number; max: number } {
  return { median: round(median(values), digits), min: round(Math.min(...values), digits), max: round(Math.max(...values), digits) };
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
