import { decideModeDeclaration, decideUpload, streamingAllowed, type TopicGuardState } from '../../src/guard/stage-rules.js';

const base: TopicGuardState = {
  topic: 'item',
  mode: 'daily-then-streaming',
  stageOrder: true,
  firstDailyDone: null,
  streamingStartedAt: null,
  openBatches: { pre_sync: 0, history_sync: 0, incremental_sync_daily: 0 },
};

describe('decideUpload', () => {
  test('streaming of a daily-then-streaming topic waits for the first daily Done', () => {
    expect(decideUpload(base, 'incremental_sync_streaming')).toMatchObject({ kind: 'hold' });
    expect(streamingAllowed(base)).toBe(false);
    const after = { ...base, firstDailyDone: { date: '2022-01-01', at: 1 } };
    expect(decideUpload(after, 'incremental_sync_streaming')).toEqual({ kind: 'go' });
    expect(streamingAllowed(after)).toBe(true);
  });

  test('a streaming-only topic streams at once and refuses daily data', () => {
    const state = { ...base, mode: 'streaming-only' as const };
    expect(decideUpload(state, 'incremental_sync_streaming')).toEqual({ kind: 'go' });
    expect(decideUpload(state, 'incremental_sync_daily')).toMatchObject({ kind: 'refuse' });
  });

  test('with stage order on, history waits for pre_sync and daily waits for both', () => {
    const preOpen = { ...base, openBatches: { pre_sync: 1, history_sync: 0, incremental_sync_daily: 0 } };
    expect(decideUpload(preOpen, 'pre_sync')).toEqual({ kind: 'go' });
    expect(decideUpload(preOpen, 'history_sync')).toMatchObject({ kind: 'hold' });
    expect(decideUpload(preOpen, 'incremental_sync_daily')).toMatchObject({ kind: 'hold' });
    const historyOpen = { ...base, openBatches: { pre_sync: 0, history_sync: 2, incremental_sync_daily: 0 } };
    expect(decideUpload(historyOpen, 'history_sync')).toEqual({ kind: 'go' });
    expect(decideUpload(historyOpen, 'incremental_sync_daily')).toMatchObject({ kind: 'hold', reason: expect.stringContaining('history_sync') as string });
  });

  test('stage order switched off lets stages overlap (control for the test above)', () => {
    const state = { ...base, stageOrder: false, openBatches: { pre_sync: 1, history_sync: 1, incremental_sync_daily: 0 } };
    expect(decideUpload(state, 'history_sync')).toEqual({ kind: 'go' });
    expect(decideUpload(state, 'incremental_sync_daily')).toEqual({ kind: 'go' });
  });

  test('open daily batches do not hold streaming once the first daily Done is in', () => {
    const state = { ...base, firstDailyDone: { date: '2022-01-01', at: 1 }, openBatches: { pre_sync: 0, history_sync: 0, incremental_sync_daily: 3 } };
    expect(decideUpload(state, 'incremental_sync_streaming')).toEqual({ kind: 'go' });
  });
});

describe('decideModeDeclaration', () => {
  test('first declaration sets the mode; the same one again changes nothing', () => {
    expect(decideModeDeclaration({ mode: null, streamingStartedAt: null }, 'streaming-only', 't')).toEqual({ kind: 'set', mode: 'streaming-only' });
    expect(decideModeDeclaration({ mode: 'streaming-only', streamingStartedAt: 5 }, 'streaming-only', 't')).toEqual({ kind: 'unchanged' });
  });

  test('a change is allowed before the first streaming upload and refused after it', () => {
    expect(decideModeDeclaration({ mode: 'streaming-only', streamingStartedAt: null }, 'daily-then-streaming', 't')).toEqual({
      kind: 'set',
      mode: 'daily-then-streaming',
    });
    expect(decideModeDeclaration({ mode: 'streaming-only', streamingStartedAt: 5 }, 'daily-then-streaming', 't')).toMatchObject({ kind: 'refuse' });
  });
});
