import type { Status } from './messages.js';

/** One record the server refused in a 1001 answer, with its reason. */
export interface RejectedRecord {
  /** The record as the server echoed it (JSON text). */
  readonly data: string;
  readonly reason: string;
}

/**
 * A WriteData call the API took: 0 (accepted), 409 (this Request-Id was already applied:
 * counts as success) or 1001 (applied except the listed records).
 */
export type WriteResult =
  | { readonly kind: 'accepted'; readonly status: Status }
  | { readonly kind: 'duplicate'; readonly status: Status }
  | { readonly kind: 'partial'; readonly status: Status; readonly rejected: readonly RejectedRecord[] };

export type DoneResult = { readonly kind: 'accepted'; readonly status: Status } | { readonly kind: 'duplicate'; readonly status: Status };

/** How the call went on the wire, for logs and metrics. */
export interface CallMeta {
  readonly host: string;
  readonly httpStatus: number;
  readonly latencyMs: number;
  /** From the request's last byte handed to the OS to its answer; undefined if that moment was not seen. */
  readonly answerMs?: number;
  /** From the same moment to the server's `100 Continue`; undefined if none came. */
  readonly continueMs?: number;
}
