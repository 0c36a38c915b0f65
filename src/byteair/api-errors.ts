import { ByteairSyncError } from '../errors/byteair-sync-error.js';

/**
 * Every way a ByteAir call can fail, as typed errors with stable codes (DESIGN.md, error
 * taxonomy). The processor turns each into exactly one BullMQ action. Messages carry the
 * server's words but never a credential.
 */
export abstract class ApiError extends ByteairSyncError {
  /** True when the same request may succeed later (the queue retries it). */
  abstract readonly retryable: boolean;
}

/** 429, in the body or as HTTP status: slow down everyone; the request was not applied. */
export class RateLimitedError extends ApiError {
  readonly code = 'RATE_LIMITED';
  readonly retryable = true;
  constructor(
    readonly retryAfterMs: number | undefined,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { retryAfterMs, ...details });
  }
}

export type UnavailableReason = 'http-status' | 'server-error' | 'timeout' | 'reset' | 'refused' | 'network' | 'invalid-response';

/** 5xx, timeout, reset, refused, a non-200 or unreadable answer: retry with backoff. */
export class UpstreamUnavailableError extends ApiError {
  readonly code = 'UPSTREAM_UNAVAILABLE';
  readonly retryable = true;
  constructor(
    readonly reason: UnavailableReason,
    message: string,
    readonly retryAfterMs?: number,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, { reason, retryAfterMs, ...details }, options);
  }
}

/** 401/403 or a signature the server refused: fix the credentials, then replay. */
export class AuthRejectedError extends ApiError {
  readonly code = 'AUTH_REJECTED';
  readonly retryable = false;
}

/**
 * status 400: the stage or date is not open, the request is malformed, the data is empty.
 * Only "data cleaning" is temporary (the docs say: wait, then retry).
 */
export class StageRejectedError extends ApiError {
  readonly code = 'STAGE_REJECTED';
  readonly retryable: boolean;
  constructor(
    readonly serverMessage: string,
    details: Record<string, unknown> = {},
  ) {
    super(`API rejected the request (400): ${serverMessage}`, { serverMessage, ...details });
    this.retryable = /data cleaning/i.test(serverMessage);
  }
}

/** Any other 4xx status in the body (404, 410, 413, ...): not retryable as is. */
export class RequestRejectedError extends ApiError {
  readonly code = 'REQUEST_REJECTED';
  readonly retryable = false;
  constructor(
    readonly statusCode: number,
    readonly serverMessage: string,
    details: Record<string, unknown> = {},
  ) {
    super(`API rejected the request (${statusCode}): ${serverMessage}`, { statusCode, serverMessage, ...details });
  }
}

/** The caller aborted the call (graceful shutdown deadline); the request may or may not have landed. */
export class RequestAbortedError extends ApiError {
  readonly code = 'REQUEST_ABORTED';
  readonly retryable = true;
}
