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

export type UnavailableReason = 'server-error' | 'timeout' | 'reset' | 'refused' | 'network';

/**
 * The API may be down or overloaded: 5xx, 408, timeout, reset, refused. Retried with
 * backoff, and counted by the circuit breaker (the only errors that hold the circuit).
 */
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

/** How an answer that means nothing defined looked (a stable metric label). */
export type UnexpectedAnswerKind =
  /** An HTTP status other than 200, 401, 403, 408, 429 and 5xx (a gateway's 404 or 413, a redirect). */
  | 'http-status'
  /** HTTP 200 with no body (protobuf would read it as code 0, success=false). */
  | 'empty-body'
  /** Neither protobuf nor JSON, or gzip that does not unzip. */
  | 'undecodable-body'
  /** JSON without a `status` object, or with a status whose fields have the wrong types. */
  | 'no-status'
  /** Status code 0 without success=true. */
  | 'not-success'
  /** A status code the protocol does not define (not 0, 409, 1001, 4xx or 5xx). */
  | 'unknown-code';

/**
 * An answer that is the same on every try and means nothing the protocol defines. The API (or
 * something in front of it) answered, so it is not an outage and never holds the circuit; the
 * job spends an attempt per answer and fails for good after its attempts, with the answer in
 * its reason. Retried under the same Request-Id, so if the server did apply the data the next
 * answer is 409 (already applied) and nothing is sent twice.
 */
export class UnexpectedAnswerError extends ApiError {
  readonly code = 'UNEXPECTED_ANSWER';
  readonly retryable = true;
  constructor(
    readonly answer: UnexpectedAnswerKind,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, { answer, ...details }, options);
  }

  /** The metric label: the kind, and for an HTTP status its number (bounded: 100-599). */
  get label(): string {
    const status = this.details.httpStatus;
    return this.answer === 'http-status' && typeof status === 'number' ? `http_${status}` : this.answer.replaceAll('-', '_');
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
