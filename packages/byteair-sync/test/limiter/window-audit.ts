/**
 * Exact checks over a list of recorded bookings, computed from their Redis timestamps alone
 * (never from wall-clock durations). Windows are half-open, (t - windowMs, t], the limiter's
 * and the emulator's convention.
 */
export interface RecordedBooking {
  /** Redis epoch ms. */
  readonly start: number;
  readonly records: number;
}

export interface WindowPeak {
  readonly requests: number;
  readonly records: number;
}

/** The most requests and the most records in any window of `windowMs` (each maximised on its own). */
export function peakLoad(bookings: readonly RecordedBooking[], windowMs: number): WindowPeak {
  const sorted = [...bookings].sort((a, b) => a.start - b.start);
  let left = 0;
  let records = 0;
  let peakRequests = 0;
  let peakRecords = 0;
  // The load only rises at a booking, so the windows ending at each start are the ones to check.
  for (let right = 0; right < sorted.length; right += 1) {
    const current = sorted[right] as RecordedBooking;
    records += current.records;
    const next = sorted[right + 1];
    if (next !== undefined && next.start === current.start) continue;
    while ((sorted[left] as RecordedBooking).start <= current.start - windowMs) {
      records -= (sorted[left] as RecordedBooking).records;
      left += 1;
    }
    peakRequests = Math.max(peakRequests, right - left + 1);
    peakRecords = Math.max(peakRecords, records);
  }
  return { requests: peakRequests, records: peakRecords };
}

/**
 * Mean load of the windows lying wholly inside the booked span, [first + W, last], divided
 * by the ceiling: 1.0 means every such window was full. Exact: a booking at s adds its
 * weight to every window ending in [s, s + W), so the mean is a sum of overlaps.
 */
export function utilization(bookings: readonly RecordedBooking[], windowMs: number, ceiling: number, weight: (b: RecordedBooking) => number): number {
  const starts = bookings.map((b) => b.start);
  const from = Math.min(...starts) + windowMs;
  const to = Math.max(...starts);
  if (to <= from) throw new Error(`booked span ${to - from + windowMs} ms is not longer than one window`);
  let integral = 0;
  for (const booking of bookings) {
    const overlap = Math.min(booking.start + windowMs, to) - Math.max(booking.start, from);
    if (overlap > 0) integral += weight(booking) * overlap;
  }
  return integral / (to - from) / ceiling;
}

/** The order of the limiter's log, as Redis orders a sorted set: by start, then by member's bytes. */
export function inLogOrder(a: { start: number; member: string }, b: { start: number; member: string }): number {
  return a.start - b.start || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0);
}
