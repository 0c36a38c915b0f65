import type { BodyJob, BodyVerdict } from './body-verdict.js';
import type { BodyProblem } from './request-body.js';

/** Main thread to a body worker: one body to judge; `id` pairs it with its answer. */
export interface BodyJobMessage {
  readonly id: number;
  readonly job: BodyJob;
}

/** A body worker's answer: a verdict (or the body's problem), or why judging failed. */
export type BodyResultMessage = { readonly id: number; readonly verdict: BodyVerdict | BodyProblem } | { readonly id: number; readonly failure: string };
