import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { JobSpan } from '../harness/finished-chunks.js';
import { percentile, round } from '../harness/figures.js';

/**
 * Joins the http-tap files of one run (every worker's sends, the emulator's arrivals) by
 * Request-Id and attempt, and answers where the timing went: how long a request took from
 * leaving a worker to being stamped by the emulator, and whether the heaviest sliding second
 * already existed in the send times (the clients bunched) or only in the arrival stamps
 * (the emulator stamped late).
 */
export interface TapVerdict {
  readonly requests: number;
  readonly sendToStampMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** From the send to the whole request handed to the socket: how much of the lateness is the worker's. */
  readonly sendToFlushMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** From the limiter's booked start to the emulator's stamp: what the margin must cover. */
  readonly bookedToStampMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly min: number };
  /** The same, booked start to the send (the client's part). */
  readonly bookedToSendMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Of which: booked start → the holder's confirmation (timer and Redis), and confirmation → send. */
  readonly bookedToConfirmMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly confirmToSendMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** From the time the limiter's log finally holds (booked start, or the real send when late) to the stamp. */
  readonly accountedToStampMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly min: number };
  /**
   * The smallest limiter margin that would have kept every pair of requests at most 1 200 ms
   * apart in the log in order on arrival: max of (log→stamp of the earlier) − (log→stamp of
   * the later). A margin below it lets an API second hold more than the limiter counted.
   */
  readonly marginNeededMs: number;
  /**
   * Heaviest records in any 1000 ms window of the limiter's own log (accounted times): above the
   * ceiling means the limiter let through more than it may, whatever happened on the way.
   */
  readonly peakRecordsByAccounted: number;
  /** Heaviest records in any 1000 ms window, by send time and by arrival stamp. */
  readonly peakRecordsBySend: number;
  readonly peakRecordsByArrival: number;
  /** The requests of the heaviest arrival window: how late each was stamped after its send. */
  readonly heaviestArrivalWindow: ReadonlyArray<{ readonly records: number; readonly sendToStampMs: number }>;
  /**
   * Where the run's time went, by the booked starts of the write requests that went out: the first
   * job's start to the first booked start (a cold worker's warm-up), the schedule the limiter
   * kept (first to last booked start, and its longest pause between two bookings), and the
   * last booked start to the last job's finish (the last answers and their bookkeeping).
   */
  readonly timeline: {
    readonly startToFirstBookedMs: number;
    readonly bookedSpanMs: number;
    readonly longestBookingPauseMs: number;
    readonly lastBookedToFinishMs: number;
  };
}

type TapEvent = [string, string, number];

export function analyzeTap(prefix: string, recordsOf: ReadonlyMap<string, number>, jobs: JobSpan): TapVerdict {
  const dir = dirname(prefix);
  const files = readdirSync(dir).filter((f) => f.startsWith(`${basename(prefix)}-`) && f.endsWith('.json'));
  // Per event kind (http-tap.ts: send, flushed, arrive, booked, confirmed, accounted): Request-Id → its times.
  const byKind = new Map<string, Map<string, number[]>>();
  for (const file of files) {
    for (const [kind, id, t] of JSON.parse(readFileSync(join(dir, file), 'utf8')) as TapEvent[]) {
      const times = byKind.get(kind) ?? new Map<string, number[]>();
      byKind.set(kind, times);
      times.set(id, [...(times.get(id) ?? []), t]);
    }
  }
  const of = (kind: string): ReadonlyMap<string, number[]> => byKind.get(kind) ?? new Map<string, number[]>();
  const sends = of('send');
  const arrivals = of('arrive');
  const flushes = of('flushed');
  const booked = of('booked');
  const confirmed = of('confirmed');
  const accounted = of('accounted');
  const pairs = paired(sends, arrivals).map(({ id, send, other }) => ({ send, arrive: other, records: recordsOf.get(id) ?? 0 }));
  const deltas = pairs.map((p) => p.arrive - p.send);
  const flushDeltas = paired(sends, flushes).map((p) => p.other - p.send);
  const bookedToStamp = paired(booked, arrivals).map(({ send, other }) => other - send);
  const accountedToStamp = paired(accounted, arrivals).map(({ send, other }) => ({ at: send, delay: other - send }));
  const bookedToSend = paired(booked, sends).map((p) => p.other - p.send);
  const bySend = heaviest(pairs.map((p) => ({ at: p.send, records: p.records, delta: p.arrive - p.send })));
  const byArrival = heaviest(pairs.map((p) => ({ at: p.arrive, records: p.records, delta: p.arrive - p.send })));
  return {
    requests: pairs.length,
    sendToStampMs: spreadMs(deltas),
    sendToFlushMs: spreadMs(flushDeltas),
    bookedToStampMs: { ...spreadMs(bookedToStamp), min: round(Math.min(...bookedToStamp), 1) },
    accountedToStampMs: { ...spreadMs(accountedToStamp.map((a) => a.delay)), min: round(Math.min(...accountedToStamp.map((a) => a.delay)), 1) },
    bookedToSendMs: spreadMs(bookedToSend),
    bookedToConfirmMs: spreadMs(paired(booked, confirmed).map((p) => p.other - p.send)),
    confirmToSendMs: spreadMs(paired(confirmed, sends).map((p) => p.other - p.send)),
    marginNeededMs: round(marginNeeded(accountedToStamp), 1),
    peakRecordsByAccounted: heaviest([...accounted].flatMap(([id, times]) => times.map((at) => ({ at, records: recordsOf.get(id) ?? 0, delta: 0 })))).records,
    peakRecordsBySend: bySend.records,
    peakRecordsByArrival: byArrival.records,
    heaviestArrivalWindow: byArrival.members.map((m) => ({ records: m.records, sendToStampMs: round(m.delta, 1) })),
    // Write requests only: a Done's booking (0 records) comes after its date's last chunk.
    timeline: timeline(
      [...booked].flatMap(([id, times]) => (recordsOf.has(id) ? times : [])),
      jobs,
    ),
  };
}

function timeline(bookedStarts: readonly number[], jobs: JobSpan): TapVerdict['timeline'] {
  const starts = [...bookedStarts].sort((a, b) => a - b);
  const first = starts[0] ?? Number.NaN;
  const last = starts[starts.length - 1] ?? Number.NaN;
  let longest = 0;
  for (let i = 1; i < starts.length; i += 1) longest = Math.max(longest, (starts[i] as number) - (starts[i - 1] as number));
  return {
    startToFirstBookedMs: round(first - jobs.first, 1),
    bookedSpanMs: round(last - first, 1),
    longestBookingPauseMs: round(longest, 1),
    lastBookedToFinishMs: round(jobs.last - last, 1),
  };
}

/** Each send with the same attempt's later event (k-th send with k-th event, both in time order). */
function paired(sends: ReadonlyMap<string, number[]>, events: ReadonlyMap<string, number[]>): Array<{ id: string; send: number; other: number }> {
  const out: Array<{ id: string; send: number; other: number }> = [];
  for (const [id, sent] of sends) {
    const later = [...(events.get(id) ?? [])].sort((a, b) => a - b);
    [...sent]
      .sort((a, b) => a - b)
      .forEach((send, k) => {
        const other = later[k];
        if (other !== undefined) out.push({ id, send, other });
      });
  }
  return out;
}

/** Max over pairs logged ≤ 1 200 ms apart of (earlier's delay − later's delay); 0 if never reordered. */
function marginNeeded(requests: ReadonlyArray<{ at: number; delay: number }>): number {
  const list = [...requests].sort((a, b) => a.at - b.at);
  let worst = 0;
  list.forEach((earlier, i) => {
    for (let j = i + 1; j < list.length && (list[j] as { at: number }).at - earlier.at <= 1_200; j += 1) {
      worst = Math.max(worst, earlier.delay - (list[j] as { delay: number }).delay);
    }
  });
  return worst;
}

function spreadMs(deltas: readonly number[]): { p50: number; p99: number; max: number } {
  return { p50: round(percentile(deltas, 50), 1), p99: round(percentile(deltas, 99), 1), max: round(Math.max(...deltas), 1) };
}

interface Stamp {
  readonly at: number;
  readonly records: number;
  readonly delta: number;
}

/** The heaviest (by records) set of stamps within (t - 1000, t]. */
function heaviest(stamps: readonly Stamp[]): { records: number; members: Stamp[] } {
  const list = [...stamps].sort((a, b) => a.at - b.at);
  let best = { records: 0, members: [] as Stamp[] };
  let left = 0;
  let sum = 0;
  for (let right = 0; right < list.length; right += 1) {
    sum += (list[right] as Stamp).records;
    while ((list[left] as Stamp).at <= (list[right] as Stamp).at - 1_000) {
      sum -= (list[left] as Stamp).records;
      left += 1;
    }
    if (sum > best.records) best = { records: sum, members: list.slice(left, right + 1) };
  }
  return best;
}
