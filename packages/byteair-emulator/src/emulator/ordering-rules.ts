import type { Stage } from 'byteair-sync/internal/src/byteair/stage.js';

/** What the emulator remembers about one topic's switch from daily to streaming. */
export interface TopicOrder {
  /** An incremental_sync_daily Done was applied for this topic. */
  readonly dailyDone: boolean;
  /** Its first streaming write came before any daily Done: daily can no longer be added. */
  readonly wentStreamingOnly: boolean;
}

export const INITIAL_TOPIC_ORDER: TopicOrder = Object.freeze({ dailyDone: false, wentStreamingOnly: false });

export type OrderingViolationKind = 'streaming-before-daily-done' | 'daily-after-streaming-only';

/**
 * The ordering rule of protocol §8 ("daily-then-streaming is allowed; once streaming has been
 * used, daily can no longer be added"), as DESIGN.md invariant 5 states it per topic: a
 * streaming write before the topic's first daily Done is a violation unless the topic is
 * declared streaming-only; daily data (write or Done) for a declared or de-facto
 * streaming-only topic is a violation. Pure.
 */
export function orderingViolation(order: TopicOrder, stage: Stage, declaredStreamingOnly: boolean): OrderingViolationKind | undefined {
  if (stage === 'incremental_sync_streaming') return declaredStreamingOnly || order.dailyDone ? undefined : 'streaming-before-daily-done';
  if (stage === 'incremental_sync_daily' && (declaredStreamingOnly || order.wentStreamingOnly)) return 'daily-after-streaming-only';
  return undefined;
}

/** The topic's order after a write or Done of `stage` was applied. Pure. */
export function applyToOrder(order: TopicOrder, call: 'write' | 'done', stage: Stage, declaredStreamingOnly: boolean): TopicOrder {
  if (call === 'done' && stage === 'incremental_sync_daily' && !order.dailyDone) return { ...order, dailyDone: true };
  if (call === 'write' && stage === 'incremental_sync_streaming' && !declaredStreamingOnly && !order.dailyDone && !order.wentStreamingOnly) {
    return { ...order, wentStreamingOnly: true };
  }
  return order;
}
