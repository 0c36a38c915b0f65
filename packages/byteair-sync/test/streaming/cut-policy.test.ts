import { decideCut, type CutPolicy } from '../../src/streaming/cut-policy.js';

const policy: CutPolicy = { batchSize: 1000, maxWaitMs: 1000, maxRecordsPerRequest: 10_000, maxInFlight: 4 };

describe('decideCut', () => {
  test('waits while filling, until batchSize records or maxWaitMs age', () => {
    expect(decideCut({ uncut: 10, oldestAgeMs: 200, inFlight: 0, held: false }, policy, 100)).toEqual({ kind: 'wait', ms: 100, why: 'filling' });
    expect(decideCut({ uncut: 10, oldestAgeMs: 950, inFlight: 0, held: false }, policy, 100)).toEqual({ kind: 'wait', ms: 50, why: 'filling' });
    expect(decideCut({ uncut: 10, oldestAgeMs: 1000, inFlight: 0, held: false }, policy, 100)).toEqual({ kind: 'cut', records: 10 });
    expect(decideCut({ uncut: 1000, oldestAgeMs: 5, inFlight: 0, held: false }, policy, 100)).toEqual({ kind: 'cut', records: 1000 });
  });

  test('a backlog is cut in full-size requests', () => {
    expect(decideCut({ uncut: 100_000, oldestAgeMs: 60_000, inFlight: 0, held: false }, policy, 100)).toEqual({ kind: 'cut', records: 10_000 });
    expect(decideCut({ uncut: 4_321, oldestAgeMs: 10, inFlight: 1, held: false }, policy, 100)).toEqual({ kind: 'cut', records: 4_321 });
  });

  test('nothing is cut while held or while the API is behind', () => {
    expect(decideCut({ uncut: 50_000, oldestAgeMs: 9_000, inFlight: 0, held: true }, policy, 100)).toMatchObject({ kind: 'wait', why: 'held' });
    expect(decideCut({ uncut: 50_000, oldestAgeMs: 9_000, inFlight: 4, held: false }, policy, 100)).toMatchObject({ kind: 'wait', why: 'behind' });
    expect(decideCut({ uncut: 0, oldestAgeMs: 0, inFlight: 0, held: false }, policy, 100)).toMatchObject({ kind: 'wait', why: 'idle' });
  });
});
