/**
 * Lifecycle of an offline batch:
 *   open ──seal──▶ sealed ──last chunk settled──▶ done-due ──Done acknowledged──▶ done-acked
 * (seal of a batch whose chunks are all settled goes straight to done-due). Records may be
 * added only while open; the Done job exists from done-due on.
 */
export const BATCH_STATES = ['open', 'sealed', 'done-due', 'done-acked'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export function isBatchState(value: unknown): value is BatchState {
  return typeof value === 'string' && (BATCH_STATES as readonly string[]).includes(value);
}
