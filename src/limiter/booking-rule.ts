/**
 * The booking rule of the limiter, as a pure function; the Lua in limiter-scripts.ts is the
 * same walk. Bookings are monotone: a new start T is never before the latest booked start,
 * so every booking already in the log starts at or before T, and the heaviest window holding
 * T is the one ending at T. Checking that one window is therefore exact; later bookings check
 * their own. Windows are half-open, (T - windowMs, T], as in the emulator's counter.
 */
export interface BookedEntry {
  /** Booked start, Redis epoch ms. */
  readonly start: number;
  readonly records: number;
}

export interface BookingLimits {
  readonly requests: number;
  readonly records: number;
  readonly windowMs: number;
}

/**
 * The smallest T ≥ lowerBound at which one more request carrying `records` fits both limits.
 * `entries` are sorted by start and none starts after `lowerBound`. A request whose records
 * alone exceed the limit fits only an empty window, so an oversize chunk is delayed, never
 * stuck.
 */
export function earliestStart(entries: readonly BookedEntry[], records: number, lowerBound: number, limits: BookingLimits): number {
  let index = entries.findIndex((entry) => entry.start > lowerBound - limits.windowMs);
  if (index < 0) index = entries.length;
  let count = entries.length - index;
  let sum = 0;
  for (let i = index; i < entries.length; i += 1) sum += (entries[i] as BookedEntry).records;
  let start = lowerBound;
  const fits = (): boolean => (records > limits.records ? count === 0 : count + 1 <= limits.requests && sum + records <= limits.records);
  while (!fits()) {
    // Drop every entry at the oldest start still in the window; T moves to just past it.
    const oldest = (entries[index] as BookedEntry).start;
    while (index < entries.length && (entries[index] as BookedEntry).start === oldest) {
      count -= 1;
      sum -= (entries[index] as BookedEntry).records;
      index += 1;
    }
    start = oldest + limits.windowMs;
  }
  return start;
}
