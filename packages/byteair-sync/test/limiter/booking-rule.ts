/**
 * The booking rule of the limiter, as a pure function: the model the tests check the Lua
 * against (production runs only the Lua). BOOK in src/limiter/limiter-scripts.ts
 * is the same walk, line for line (largestRoom below is the plain definition of the room that
 * walk reports when it refuses). Windows are half-open, (x - windowMs, x], as in the
 * emulator's counter.
 *
 * A new request may go before bookings already made (it fills a gap they left), as long as
 * every window that would hold it stays within both ceilings: the window ending at its own
 * start T, and the windows ending at each later booking within (T, T + windowMs). Those are
 * all the windows to check, because a window's load only rises at a booking's start. So a
 * gap is used only when no booking already made is pushed over a ceiling: a 777-record chunk
 * goes into the room a 10 000-record chunk cannot use, without delaying that chunk.
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
 * The smallest T ≥ lowerBound at which one more request carrying `records` fits both limits in
 * every window holding it. `entries` are sorted by start; they may start before or after
 * `lowerBound`. A request whose records alone exceed the limit fits only where no other
 * request shares a window with it, so an oversize chunk is delayed, never stuck.
 *
 * The load of the windows holding T only falls when T passes an entry's start + windowMs, so
 * the candidates are lowerBound and those instants, in order; the last one is past every entry
 * and always fits.
 */
export function earliestStart(entries: readonly BookedEntry[], records: number, lowerBound: number, limits: BookingLimits): number {
  const { windowMs: w } = limits;
  const n = entries.length;
  const at = (i: number): BookedEntry => entries[i] as BookedEntry;
  // Load of the window ending at each entry's start (entries sharing a start share it),
  // then its largest value from each index on.
  const loadRequests: number[] = new Array<number>(n);
  const loadRecords: number[] = new Array<number>(n);
  for (let j = 0, left = 0, right = 0, count = 0, sum = 0; j < n; j += 1) {
    for (; right < n && at(right).start <= at(j).start; right += 1) {
      count += 1;
      sum += at(right).records;
    }
    for (; at(left).start <= at(j).start - w; left += 1) {
      count -= 1;
      sum -= at(left).records;
    }
    loadRequests[j] = count;
    loadRecords[j] = sum;
  }
  const tailRequests: number[] = new Array<number>(n + 1).fill(0);
  const tailRecords: number[] = new Array<number>(n + 1).fill(0);
  for (let j = n - 1; j >= 0; j -= 1) {
    tailRequests[j] = Math.max(loadRequests[j] as number, tailRequests[j + 1] as number);
    tailRecords[j] = Math.max(loadRecords[j] as number, tailRecords[j + 1] as number);
  }

  // [first, upTo) are the entries in (T - w, T]; [upTo, beyond) those in (T, T + w).
  let first = 0;
  let upTo = 0;
  let beyond = 0;
  let count = 0;
  let sum = 0;
  let next = 0;
  for (let start = lowerBound; ;) {
    for (; upTo < n && at(upTo).start <= start; upTo += 1) {
      count += 1;
      sum += at(upTo).records;
    }
    for (; first < upTo && at(first).start <= start - w; first += 1) {
      count -= 1;
      sum -= at(first).records;
    }
    beyond = Math.max(beyond, upTo);
    for (; beyond < n && at(beyond).start < start + w; beyond += 1);
    let laterRequests = 0;
    let laterRecords = 0;
    if (beyond === n) {
      laterRequests = tailRequests[upTo] as number;
      laterRecords = tailRecords[upTo] as number;
    } else {
      for (let j = upTo; j < beyond; j += 1) {
        laterRequests = Math.max(laterRequests, loadRequests[j] as number);
        laterRecords = Math.max(laterRecords, loadRecords[j] as number);
      }
    }
    const fits =
      records > limits.records
        ? count === 0 && beyond === upTo
        : Math.max(count, laterRequests) + 1 <= limits.requests && Math.max(sum, laterRecords) + records <= limits.records;
    if (fits) return start;
    // Next candidate: the next instant an entry leaves the windows holding T.
    // (Some entry ends after T: had none, T would have fitted.)
    while (at(next).start + w <= start) next += 1;
    start = at(next).start + w;
  }
}

/**
 * The most records one more request could carry and still start at `at`: what is left in the
 * fullest window that would hold it (0 when the request ceiling leaves no room).
 */
export function roomAt(entries: readonly BookedEntry[], at: number, limits: BookingLimits): number {
  const { windowMs: w } = limits;
  let requests = 0;
  let records = 0;
  for (const end of [at, ...entries.map((e) => e.start).filter((s) => s > at && s < at + w)]) {
    const held = entries.filter((e) => e.start > end - w && e.start <= end);
    requests = Math.max(requests, held.length);
    records = Math.max(
      records,
      held.reduce((sum, e) => sum + e.records, 0),
    );
  }
  return requests + 1 <= limits.requests ? Math.max(0, limits.records - records) : 0;
}

/**
 * The most records one more request could carry and still start somewhere in [from, until]:
 * the largest roomAt over that span. Room grows only at `from` and where an entry leaves the
 * windows (its start + windowMs), so those are the instants to look at; they are the steps of
 * earliestStart's walk. A refusal carries it, so that a process offers the waiting request
 * that best fits the room its horizon will see, not only the room left at this instant: a
 * 6 902-record chunk leaving in 150 ms frees room a 6 902 can take then, which the head of
 * the lane (10 000) cannot.
 */
export function largestRoom(entries: readonly BookedEntry[], from: number, until: number, limits: BookingLimits): number {
  const instants = [from, ...entries.map((e) => e.start + limits.windowMs).filter((t) => t > from && t <= until)];
  return instants.reduce((best, at) => Math.max(best, roomAt(entries, at, limits)), 0);
}

/** A booking as the log holds it: the member names it, and orders bookings that share a start. */
export interface LoggedEntry extends BookedEntry {
  readonly member: string;
}

/**
 * The bookings to drop after one moved later because its request went out late (the limiter's
 * SENT re-times it to when it really left). Only bookings that start after `now` can go: their
 * holders have not confirmed yet, so dropping one makes its holder book again; a booking at or
 * before `now` may already be on the wire. Walking in log order (start, then member, as Redis
 * orders a sorted set), a future booking is dropped when the window ending at its start, with
 * the bookings kept so far, would break a ceiling; a window holding a single oversize request
 * is allowed, as booking allows it. Earlier bookings keep their place; later ones yield.
 */
export function bumpedAfterMove(entries: readonly LoggedEntry[], now: number, limits: BookingLimits): string[] {
  const { windowMs: w } = limits;
  const kept: LoggedEntry[] = [];
  const bumped: string[] = [];
  let left = 0;
  let count = 0;
  let sum = 0;
  for (const entry of entries) {
    for (; left < kept.length && (kept[left] as LoggedEntry).start <= entry.start - w; left += 1) {
      count -= 1;
      sum -= (kept[left] as LoggedEntry).records;
    }
    if (entry.start > now && !(count + 1 <= limits.requests && (sum + entry.records <= limits.records || count === 0))) {
      bumped.push(entry.member);
      continue;
    }
    kept.push(entry);
    count += 1;
    sum += entry.records;
  }
  return bumped;
}
