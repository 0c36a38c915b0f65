import type { OfflineStage } from '../byteair/stage.js';

/** A batch is one (topic, stage, date): the unit that one Done closes. */
export interface BatchRef {
  readonly topic: string;
  readonly stage: OfflineStage;
  /** `YYYY-MM-DD`. */
  readonly date: string;
}

export function batchIdOf(ref: BatchRef): string {
  return `${ref.topic}/${ref.stage}/${ref.date}`;
}
