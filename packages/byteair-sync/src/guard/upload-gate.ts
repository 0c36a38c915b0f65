import type { WriteJobData } from '../queue/job-data.js';

/** The stage guard as the upload processor sees it. */
export type GateDecision =
  | { readonly kind: 'go' }
  /** Not yet: park the job (no attempt spent) until the guard releases it. */
  | { readonly kind: 'hold'; readonly reason: string }
  /** Never: e.g. daily data for a streaming-only topic. */
  | { readonly kind: 'refuse'; readonly reason: string };

export interface UploadGate {
  admit(job: WriteJobData, jobId: string): Promise<GateDecision>;
  /**
   * After a held job was parked (moved to delayed): registers it for release, and answers
   * 'released' when the hold already ended meanwhile (the caller then promotes it).
   */
  park(job: WriteJobData, jobId: string): Promise<'held' | 'released'>;
  /** A Done was acknowledged: may release held data (daily Done ⇒ streaming; stage order). */
  onDoneAcknowledged(topic: string, stage: string, date: string): Promise<void>;
}
