/** The four sync stages of the ByteAir data API (docs/byteair-protocol.md §8). */
export const STAGES = ['pre_sync', 'history_sync', 'incremental_sync_daily', 'incremental_sync_streaming'] as const;
export type Stage = (typeof STAGES)[number];

/** Stages that are uploaded per data date and closed by Done. */
export const OFFLINE_STAGES = ['pre_sync', 'history_sync', 'incremental_sync_daily'] as const;
export type OfflineStage = (typeof OFFLINE_STAGES)[number];

export const STREAMING_STAGE = 'incremental_sync_streaming';

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

export function isOfflineStage(value: unknown): value is OfflineStage {
  return typeof value === 'string' && (OFFLINE_STAGES as readonly string[]).includes(value);
}
