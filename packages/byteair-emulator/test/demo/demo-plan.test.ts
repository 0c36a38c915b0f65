import { planDemoDates } from '../../src/demo/demo-plan.js';
import { demoRecord } from '../../src/demo/demo-dataset.js';
import { reconcile, renderReconciliation } from '../../src/demo/reconciliation.js';
import type { EmulatorStats } from '../../src/index.js';

test('demo dates run oldest to newest, pre_sync before history before daily, all before today in the zone', () => {
  const now = Date.UTC(2026, 10, 28, 1, 0, 0); // 09:00 in Shanghai
  const plan = planDemoDates(now, 'Asia/Shanghai', { preSyncDates: 2, historyDates: 30 });
  expect(plan.daily).toEqual(['2026-11-27']);
  expect(plan.history).toHaveLength(30);
  expect(plan.history.at(-1)).toBe('2026-11-26');
  expect(plan.history[0]).toBe('2026-10-28');
  expect(plan.preSync).toEqual(['2026-10-26', '2026-10-27']);
  // 23:30 UTC on the 27th is already the 28th in Shanghai, still the 27th in UTC.
  expect(planDemoDates(Date.UTC(2026, 10, 27, 23, 30), 'UTC', { preSyncDates: 1, historyDates: 1 }).daily).toEqual(['2026-11-26']);
});

test('one behavior in badEvery lacks user_id; other topics never do', () => {
  expect(demoRecord('behavior', 't', 199, 200)).not.toHaveProperty('user_id');
  expect(demoRecord('behavior', 't', 198, 200)).toHaveProperty('user_id');
  expect(demoRecord('item', 't', 199, 200)).toHaveProperty('id', 'item-t-199');
});

function stats(partial: Partial<EmulatorStats>): EmulatorStats {
  return {
    now: '',
    totals: { orderingViolations: 0 } as EmulatorStats['totals'],
    authFailures: {},
    badRequests: {},
    windows: {
      maxRequestsInWindow: 10,
      maxRecordsInWindow: 1000,
      maxAdmittedRequestsInWindow: 10,
      maxAdmittedRecordsInWindow: 1000,
      requestsOverCeiling: 0,
      recordsOverCeiling: 0,
    },
    windowsByApplication: {},
    faults: {} as EmulatorStats['faults'],
    topics: {},
    dates: [],
    dones: [],
    orderingViolations: [],
    ...partial,
  };
}

test('reconcile balances sent against accepted + rejected and counts one Done per date', () => {
  const date = (d: string, accepted: number, rejected: number) =>
    ({
      topic: 'item',
      stage: 'history_sync',
      date: d,
      state: 'acked',
      writeRequests: 1,
      acceptedRecords: accepted,
      rejectedRecords: rejected,
      duplicateRequests: 0,
      writesRefusedAfterAck: 0,
      firstWriteSeq: 1,
      lastWriteSeq: 1,
      doneSeq: 2,
      repeatedDones: 0,
    }) as const;
  const done = (d: string, seq: number) => ({
    seq,
    requestId: `d${seq}`,
    applicationId: '1',
    topic: 'item',
    stage: 'history_sync' as const,
    dates: [d],
    emptyBody: false,
    newlyAcked: [d],
    alreadyAcked: [],
  });
  const ok = reconcile(
    [{ topic: 'item', stage: 'history_sync', records: 10, dates: ['2022-01-01', '2022-01-02'] }],
    stats({ dates: [date('2022-01-01', 4, 1), date('2022-01-02', 5, 0)], dones: [done('2022-01-01', 3), done('2022-01-02', 4)] }),
  );
  expect(ok.rows[0]).toMatchObject({ sent: 10, accepted: 9, rejected: 1, missing: 0, donesOk: 2, dates: 2 });
  expect(ok.balanced).toBe(true);
  expect(renderReconciliation(ok, { maxRequestsPerSecond: 100, maxRecordsPerSecond: 50_000 })).toContain('every record accounted for');
  const short = reconcile(
    [{ topic: 'item', stage: 'history_sync', records: 11, dates: ['2022-01-01', '2022-01-02'] }],
    stats({ dates: [date('2022-01-01', 4, 1), date('2022-01-02', 5, 0)], dones: [done('2022-01-01', 3)] }),
  );
  expect(short.rows[0]).toMatchObject({ missing: 1, donesOk: 1 });
  expect(short.balanced).toBe(false);
  expect(renderReconciliation(short, { maxRequestsPerSecond: 100, maxRecordsPerSecond: 50_000 })).toContain('MISMATCH');
});
