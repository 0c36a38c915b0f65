import type { EmulatorStats } from 'byteair-emulator';
import type { OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';
import type { TestSystem } from '../support/system.js';
import { idFieldOf, REJECT_RULE } from './chaos-records.js';
import { describeFailedJobs, phantomInFlight } from './intake-diagnostics.js';
import { expectedIds, type BatchSpec } from './offline-load.js';
import type { StreamLoad } from './stream-load.js';

export interface AccountingInput {
  readonly system: TestSystem;
  readonly handle: OperationsHandle;
  /** Batches whose 1001 answers could not have been lost: byteair-sync must keep every rejected record. */
  readonly strictBatches: readonly BatchSpec[];
  /**
   * Batches uploaded while answers were being lost (faults after apply, worker kills): the
   * emulator side is checked just as exactly; byteair-sync's kept rejections may fall short
   * (a 1001 whose answer was lost comes back as a 409), never be wrong.
   */
  readonly looseBatches: readonly BatchSpec[];
  readonly stream: StreamLoad;
  readonly streamTopics: readonly string[];
}

export interface AccountingFigures {
  readonly acknowledgedRecords: number;
  readonly acceptedRecords: number;
  readonly rejectedRecords: number;
  /** Streaming records whose push() failed (unknown outcome) and that reached the API. */
  readonly unknownPushesAccepted: number;
  readonly unknownPushRecords: number;
  /** Rejected records byteair-sync kept with their reason, of those the emulator refused. */
  readonly rejectionsKept: number;
  readonly dones: number;
  readonly duplicateRequests409: number;
  readonly failedJobs: number;
  readonly orderingViolations: number;
  /** Completed streaming chunks still counted in flight (B4). */
  readonly phantomInFlight: number;
}

export interface AccountingResult {
  /** Empty when every check held; else one line per broken check. */
  readonly violations: string[];
  readonly figures: AccountingFigures;
}

/**
 * The exact accounting of a chaos run against the emulator's ledger and byteair-sync's own
 * records: every acknowledged record accepted exactly once (or refused, per the rule), never an
 * id accepted twice (a record re-sent under a new Request-Id would be), one Done per date after
 * its writes, no failed job, no ordering violation, no limit excess.
 */
export async function account(input: AccountingInput): Promise<AccountingResult> {
  const { system, handle } = input;
  const violations: string[] = [];
  const check = (ok: boolean, message: string): void => {
    if (!ok) violations.push(message);
  };
  const stats = await system.emulator.stats();
  const batches = [...input.strictBatches, ...input.looseBatches];

  const expected = new Map<string, { accepted: string[]; mayHold: string[] }>();
  const add = (topic: string, accepted: readonly string[], mayHold: readonly string[] = []): void => {
    const entry = expected.get(topic) ?? { accepted: [], mayHold: [] };
    // Loops, not push(...ids): spreading 100 000s of arguments overflows the stack.
    for (const id of accepted) entry.accepted.push(id);
    for (const id of mayHold) entry.mayHold.push(id);
    expected.set(topic, entry);
  };
  let rejectedExpected = 0;
  for (const spec of batches) {
    const ids = expectedIds(spec);
    add(spec.topic, ids.accepted);
    rejectedExpected += ids.rejected.length;
  }
  let unknownRecords = 0;
  for (const topic of input.streamTopics) {
    const unknown = input.stream.unknownIds(topic);
    unknownRecords += unknown.length;
    add(topic, input.stream.acknowledgedIds(topic), unknown);
  }

  let acknowledged = 0;
  let accepted = 0;
  let unknownAccepted = 0;
  for (const [topic, { accepted: ids, mayHold }] of expected) {
    acknowledged += ids.length;
    const ledger = await system.emulator.ledger(topic);
    accepted += ledger.size;
    const notOnce = ids.filter((id) => ledger.get(id) !== 1);
    check(
      notOnce.length === 0,
      `${topic}: ${notOnce.length} acknowledged records not accepted exactly once (e.g. ${notOnce.slice(0, 3).join(', ')}: ${notOnce
        .slice(0, 3)
        .map((id) => ledger.get(id) ?? 0)
        .join(', ')} times)`,
    );
    const twice = [...ledger].filter(([, n]) => n > 1);
    check(
      twice.length === 0,
      `${topic}: ${twice.length} ids accepted more than once, i.e. re-sent under a new Request-Id (e.g. ${twice
        .slice(0, 3)
        .map(([id]) => id)
        .join(', ')})`,
    );
    const known = new Set(ids);
    const unknown = new Set(mayHold);
    const foreign = [...ledger.keys()].filter((id) => !known.has(id) && !unknown.has(id));
    check(
      foreign.length === 0,
      `${topic}: ${foreign.length} accepted ids that were never acknowledged nor sent, or should have been refused (e.g. ${foreign.slice(0, 3).join(', ')})`,
    );
    unknownAccepted += [...ledger.keys()].filter((id) => unknown.has(id)).length;
    const summary = stats.topics[topic];
    check(summary?.duplicateIds === 0, `${topic}: the emulator counted ${summary?.duplicateIds ?? '?'} duplicate ids`);
    check(summary?.recordsWithoutId === 0, `${topic}: ${summary?.recordsWithoutId ?? '?'} accepted records had no ${idFieldOf(topic)}`);
  }
  check(
    stats.totals.rejectedRecords === rejectedExpected,
    `the emulator refused ${stats.totals.rejectedRecords} records, the rule matches ${rejectedExpected}`,
  );

  const rejectionsKept = await checkRejections(input, check);
  checkDones(stats, batches, check);

  const failed = await describeFailedJobs(handle);
  check(failed.length === 0, `${failed.length} failed jobs: ${failed.slice(0, 5).join('; ')}`);
  let phantoms = 0;
  for (const topic of input.streamTopics) phantoms += (await phantomInFlight(handle, topic)).length;
  check(phantoms === 0, `${phantoms} completed streaming chunks still counted in flight`);
  for (const status of await handle.producer.batches()) {
    check(status.failedChunks.length === 0, `batch ${status.batchId} has failed chunks: ${JSON.stringify(status.failedChunks)}`);
  }
  check(
    stats.totals.orderingViolations === 0,
    `${stats.totals.orderingViolations} ordering violations: ${JSON.stringify(stats.orderingViolations.slice(0, 3))}`,
  );
  const { maxRequestsPerSecond, maxRecordsPerSecond } = system.config.limits;
  const w = stats.windows;
  check(
    w.requestsOverCeiling + w.recordsOverCeiling === 0 && w.maxRequestsInWindow <= maxRequestsPerSecond && w.maxRecordsInWindow <= maxRecordsPerSecond,
    `limit excess seen by the emulator: ${JSON.stringify(w)}`,
  );

  return {
    violations,
    figures: {
      acknowledgedRecords: acknowledged,
      acceptedRecords: accepted,
      rejectedRecords: stats.totals.rejectedRecords,
      unknownPushesAccepted: unknownAccepted,
      unknownPushRecords: unknownRecords,
      rejectionsKept,
      dones: stats.dones.length,
      duplicateRequests409: stats.totals.duplicateRequests,
      failedJobs: failed.length,
      orderingViolations: stats.totals.orderingViolations,
      phantomInFlight: phantoms,
    },
  };
}

/** byteair-sync's kept rejections: exact for strict batches, a correct subset for loose ones. */
async function checkRejections(input: AccountingInput, check: (ok: boolean, message: string) => void): Promise<number> {
  let kept = 0;
  const strict = new Set(input.strictBatches);
  for (const spec of [...input.strictBatches, ...input.looseBatches]) {
    const wanted = new Set(expectedIds(spec).rejected);
    const seen = new Map<string, number>();
    for await (const row of input.handle.operations.rejectedRecords({ topic: spec.topic, stage: spec.stage, date: spec.date })) {
      const id = String((JSON.parse(row.data) as Record<string, unknown>)[idFieldOf(spec.topic)]);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      check(
        wanted.has(id) && row.reason === REJECT_RULE.reason,
        `${spec.topic}/${spec.stage}/${spec.date}: kept a rejection that is not the rule's: ${id} "${row.reason}"`,
      );
    }
    check(
      [...seen.values()].every((n) => n === 1),
      `${spec.topic}/${spec.stage}/${spec.date}: a rejected record was kept twice`,
    );
    kept += [...seen.keys()].filter((id) => wanted.has(id)).length;
    if (strict.has(spec)) {
      const missing = [...wanted].filter((id) => !seen.has(id));
      check(
        missing.length === 0,
        `${spec.topic}/${spec.stage}/${spec.date}: ${missing.length} rejected records not kept (e.g. ${missing.slice(0, 3).join(', ')})`,
      );
    }
  }
  return kept;
}

function checkDones(stats: EmulatorStats, batches: readonly BatchSpec[], check: (ok: boolean, message: string) => void): void {
  for (const spec of batches) {
    const name = `${spec.topic}/${spec.stage}/${spec.date}`;
    const ids = expectedIds(spec);
    const dones = stats.dones.filter((d) => d.topic === spec.topic && d.stage === spec.stage && d.dates.includes(spec.date));
    check(dones.length === 1, `${name}: ${dones.length} Dones`);
    const date = stats.dates.find((d) => d.topic === spec.topic && d.stage === spec.stage && d.date === spec.date);
    check(date?.state === 'acked', `${name}: date state ${date?.state ?? 'unknown'}`);
    check(date?.acceptedRecords === ids.accepted.length, `${name}: ${date?.acceptedRecords ?? 0} accepted, expected ${ids.accepted.length}`);
    check(date?.rejectedRecords === ids.rejected.length, `${name}: ${date?.rejectedRecords ?? 0} refused, expected ${ids.rejected.length}`);
    check(
      date?.repeatedDones === 0 && date.writesRefusedAfterAck === 0,
      `${name}: ${date?.repeatedDones ?? '?'} repeated Dones, ${date?.writesRefusedAfterAck ?? '?'} writes after the Done`,
    );
    check(
      (date?.doneSeq ?? 0) > (date?.lastWriteSeq ?? Number.MAX_SAFE_INTEGER),
      `${name}: the Done (seq ${date?.doneSeq ?? '?'}) came before its last write (seq ${date?.lastWriteSeq ?? '?'})`,
    );
  }
  check(stats.totals.repeatedDones === 0, `${stats.totals.repeatedDones} repeated Dones`);
}
