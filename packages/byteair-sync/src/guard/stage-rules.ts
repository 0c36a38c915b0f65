import type { OfflineStage, Stage } from '../byteair/stage.js';
import type { TopicMode } from '../config/config.js';
import type { GateDecision } from './upload-gate.js';

/**
 * The stage-ordering rules of the ByteAir platform, as pure functions (DESIGN.md invariant 5):
 * - a topic's streaming data waits for the topic's first acknowledged incremental_sync_daily
 *   Done, unless the topic is streaming-only;
 * - a streaming-only topic never uploads daily data;
 * - with stage order on (the default), history waits while pre_sync batches are not done,
 *   and daily waits while pre_sync or history batches are not done;
 * - the mode of a topic may not change once it has streamed.
 */
export interface TopicGuardState {
  readonly topic: string;
  readonly mode: TopicMode;
  readonly stageOrder: boolean;
  readonly firstDailyDone: { readonly date: string; readonly at: number } | null;
  readonly streamingStartedAt: number | null;
  /** Batches whose Done is not acknowledged yet, per offline stage. */
  readonly openBatches: Readonly<Record<OfflineStage, number>>;
}

const EARLIER_STAGES: Readonly<Record<OfflineStage, readonly OfflineStage[]>> = {
  pre_sync: [],
  history_sync: ['pre_sync'],
  incremental_sync_daily: ['pre_sync', 'history_sync'],
};

export function streamingAllowed(state: TopicGuardState): boolean {
  return state.mode === 'streaming-only' || state.firstDailyDone !== null;
}

export function decideUpload(state: TopicGuardState, stage: Stage): GateDecision {
  if (stage === 'incremental_sync_streaming') {
    return streamingAllowed(state)
      ? { kind: 'go' }
      : { kind: 'hold', reason: `topic "${state.topic}" streams only after its first incremental_sync_daily Done is acknowledged` };
  }
  if (stage === 'incremental_sync_daily' && state.mode === 'streaming-only') {
    return { kind: 'refuse', reason: `topic "${state.topic}" is streaming-only and may never upload daily data` };
  }
  if (state.stageOrder) {
    const blocking = EARLIER_STAGES[stage].filter((earlier) => state.openBatches[earlier] > 0);
    if (blocking.length > 0) {
      return { kind: 'hold', reason: `topic "${state.topic}" ${stage} waits until its ${blocking.join(' and ')} batches are done` };
    }
  }
  return { kind: 'go' };
}

export type ModeDeclaration =
  { readonly kind: 'unchanged' } | { readonly kind: 'set'; readonly mode: TopicMode } | { readonly kind: 'refuse'; readonly reason: string };

/** A process starts with the modes in its config; they become the topic's mode unless it already streamed under another. */
export function decideModeDeclaration(
  stored: { mode: TopicMode | null; streamingStartedAt: number | null },
  declared: TopicMode,
  topic: string,
): ModeDeclaration {
  if (stored.mode === declared) return { kind: 'unchanged' };
  if (stored.mode !== null && stored.streamingStartedAt !== null) {
    return {
      kind: 'refuse',
      reason: `topic "${topic}" has streamed as ${stored.mode} since ${new Date(stored.streamingStartedAt).toISOString()}; its mode cannot change to ${declared}`,
    };
  }
  return { kind: 'set', mode: declared };
}
