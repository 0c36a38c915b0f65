import { DateTime } from 'luxon';
import type { OfflineStage } from 'byteair-sync/internal/src/byteair/stage.js';

/** The dates the demo sends, counted back from today in the data-date zone. Pure. */
export interface DemoPlan {
  readonly preSync: readonly string[];
  readonly history: readonly string[];
  readonly daily: readonly string[];
}

export interface DemoShape {
  readonly preSyncDates: number;
  readonly historyDates: number;
}

export function planDemoDates(now: number, zone: string, shape: DemoShape): DemoPlan {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const day = (back: number): string => today.minus({ days: back }).toISODate() ?? '';
  // Newest first would read oddly; each list runs oldest to newest.
  const history = Array.from({ length: shape.historyDates }, (_, i) => day(shape.historyDates + 1 - i));
  const preSync = Array.from({ length: shape.preSyncDates }, (_, i) => day(shape.historyDates + 1 + shape.preSyncDates - i));
  return { preSync, history, daily: [day(1)] };
}

export function datesOf(plan: DemoPlan, stage: OfflineStage): readonly string[] {
  switch (stage) {
    case 'pre_sync':
      return plan.preSync;
    case 'history_sync':
      return plan.history;
    case 'incremental_sync_daily':
      return plan.daily;
  }
}
