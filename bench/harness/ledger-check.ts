import type { EmulatorControl } from 'byteair-emulator';
import { recordId } from './records.js';

/** The records a topic should hold: `count` records of each series (see records.ts recordId). */
export interface ExpectedSeries {
  readonly topic: string;
  readonly series: string;
  readonly count: number;
}

export interface LedgerVerdict {
  readonly expected: number;
  /** Distinct ids the API accepted, over the topics checked. */
  readonly uniqueIds: number;
  /** Expected ids the API never accepted. */
  readonly lost: number;
  /** Ids accepted more than once, i.e. under two Request-Ids. */
  readonly duplicated: number;
  /** Accepted ids nobody sent (would mean a mix-up in the bench). */
  readonly unexpected: number;
  readonly exact: boolean;
}

/** Every expected id against the emulator's ledger, id by id. */
export async function checkLedger(emulator: EmulatorControl, expected: readonly ExpectedSeries[]): Promise<LedgerVerdict> {
  const topics = [...new Set(expected.map((e) => e.topic))];
  let total = 0;
  let uniqueIds = 0;
  let lost = 0;
  let duplicated = 0;
  let unexpected = 0;
  for (const topic of topics) {
    const ledger = await emulator.ledger(topic);
    uniqueIds += ledger.size;
    for (const count of ledger.values()) if (count > 1) duplicated += 1;
    let found = 0;
    for (const { series, count } of expected.filter((e) => e.topic === topic)) {
      total += count;
      for (let n = 0; n < count; n += 1) {
        if (ledger.has(recordId(series, n))) found += 1;
        else lost += 1;
      }
    }
    unexpected += ledger.size - found;
  }
  return { expected: total, uniqueIds, lost, duplicated, unexpected, exact: lost === 0 && duplicated === 0 && unexpected === 0 };
}
