import { formatJobData, formatJobName, formatProgress, formatReturnValue } from '../../dashboards/job-formatters.js';

const SECRET = 'record-payload-or-secret-never-shown';
const AT = Date.UTC(2026, 0, 2, 3, 4, 5);

const write = {
  v: 1,
  kind: 'write',
  topic: 'item',
  stage: 'pre_sync',
  date: '2022-01-01',
  requestId: 'w-abc',
  blobKey: '{p}:blob:w-abc',
  records: 10,
  bytes: 661,
  batchId: 'item/pre_sync/2022-01-01',
  enqueuedAt: AT,
};

test('write job data shows ids and counts only; fields it does not know are dropped', () => {
  expect(formatJobData({ ...write, records_payload: [{ title: SECRET }], sk: SECRET })).toEqual({
    kind: 'write',
    topic: 'item',
    stage: 'pre_sync',
    date: '2022-01-01',
    requestId: 'w-abc',
    enqueuedAt: '2026-01-02T03:04:05.000Z',
    records: 10,
    bytes: 661,
    batchId: 'item/pre_sync/2022-01-01',
    blobKey: '{p}:blob:w-abc',
  });
});

test('a streaming chunk shows its intake range; a Done job its batch', () => {
  const streaming = { ...write, stage: 'incremental_sync_streaming', date: null, batchId: null, intake: { first: '1-0', last: '9-0', extra: SECRET } };
  expect(formatJobData(streaming)).toMatchObject({ date: null, batchId: null, intake: { first: '1-0', last: '9-0' } });
  expect(JSON.stringify(formatJobData(streaming))).not.toContain(SECRET);
  const done = {
    v: 1,
    kind: 'done',
    topic: 'user',
    stage: 'history_sync',
    date: '2022-01-03',
    requestId: 'd-1',
    batchId: 'user/history_sync/2022-01-03',
    enqueuedAt: AT,
  };
  expect(formatJobData(done)).toEqual({
    kind: 'done',
    topic: 'user',
    stage: 'history_sync',
    date: '2022-01-03',
    requestId: 'd-1',
    enqueuedAt: '2026-01-02T03:04:05.000Z',
    batchId: 'user/history_sync/2022-01-03',
  });
});

test('data of an unknown shape or version shows nothing of itself', () => {
  for (const data of [null, 'text', { ...write, v: 2, title: SECRET }, { ...write, kind: 'delete' }, { title: SECRET }]) {
    const shown = formatJobData(data);
    expect(Object.keys(shown)).toEqual(['shown']);
    expect(JSON.stringify(shown)).not.toContain(SECRET);
  }
});

test('long strings are clipped to 160 characters; an enqueue time out of Date range stays a number', () => {
  const shown = formatJobData({ ...write, topic: 'x'.repeat(500), enqueuedAt: 1e300 });
  expect(shown.topic).toBe(`${'x'.repeat(159)}…`);
  expect(shown.enqueuedAt).toBe(1e300);
});

test('a return value shows outcome, records and rejected, nothing else', () => {
  expect(formatReturnValue({ outcome: 'partial', records: 5, rejected: 1, reasons: [SECRET] })).toEqual({ outcome: 'partial', records: 5, rejected: 1 });
  expect(formatReturnValue({ outcome: 7, records: '5' })).toEqual({});
  expect([null, undefined, 'done', 3].map(formatReturnValue)).toEqual([null, null, null, null]);
});

test('the listed name is the job name with topic/stage/date and the record count', () => {
  expect(formatJobName({ name: 'write', data: write })).toBe('write item/pre_sync/2022-01-01 ×10');
  expect(formatJobName({ name: 'write', data: { ...write, stage: 'incremental_sync_streaming', date: null, batchId: null } })).toBe(
    'write item/incremental_sync_streaming ×10',
  );
  expect(
    formatJobName({
      name: 'done',
      data: { v: 1, kind: 'done', topic: 'user', stage: 'pre_sync', date: '2022-01-02', requestId: 'd', batchId: 'b', enqueuedAt: AT },
    }),
  ).toBe('done user/pre_sync/2022-01-02');
  expect(formatJobName({ name: 'write', data: { title: SECRET } })).toBe('write');
  expect(formatJobName(null)).toBe('job');
});

test('progress is a finite number or 0', () => {
  expect([42, Number.NaN, Number.POSITIVE_INFINITY, '50', { pct: 5 }, null].map(formatProgress)).toEqual([42, 0, 0, 0, 0, 0]);
});
