import { ByteairSyncError } from '../errors/byteair-sync-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/**
 * Refusals that only the HTTP ingest API makes (the rest come from the producer, the intake
 * and validation). None of them quotes the request body or the Authorization header.
 */

/** No `Authorization: Bearer ...` header at all. */
export class AuthRequiredError extends ByteairSyncError {
  readonly code = 'AUTH_REQUIRED';
  constructor() {
    super('this endpoint needs an "Authorization: Bearer <token>" header (the token is BYTEAIR_INGEST_TOKEN)');
  }
}

/** A bearer token was sent and is not the configured one. The token is never repeated. */
export class AuthInvalidError extends ByteairSyncError {
  readonly code = 'AUTH_INVALID';
  constructor() {
    super('the bearer token is not valid for this ingest API');
  }
}

export class BodyTooLargeError extends ByteairSyncError {
  readonly code = 'BODY_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes (BYTEAIR_INGEST_MAX_BODY_BYTES, counted before and after gzip); split it into several requests`, {
      limit,
    });
  }
}

export class UnsupportedMediaTypeError extends ByteairSyncError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  constructor(
    readonly contentType: string,
    accepted: readonly string[],
  ) {
    super(`Content-Type ${contentType === '' ? '(none)' : JSON.stringify(contentType.slice(0, 80))} is not accepted here; send ${accepted.join(' or ')}`, {
      contentType: contentType.slice(0, 80),
    });
  }
}

export class UnsupportedEncodingError extends ByteairSyncError {
  readonly code = 'UNSUPPORTED_ENCODING';
  constructor(readonly encoding: string) {
    super(`Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported; send the body plain or with Content-Encoding: gzip`, {
      encoding: encoding.slice(0, 40),
    });
  }
}

/**
 * The body is not what its headers say: not JSON, not valid gzip, not UTF-8. Names where
 * (the NDJSON line, or line and column of a JSON body) but never quotes the text, which
 * holds the caller's records.
 */
export class MalformedBodyError extends ByteairSyncError {
  readonly code = 'MALFORMED_BODY';
  constructor(
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? `body: ${reason}` : `body line ${line}${column === undefined ? '' : ` column ${column}`}: ${reason}`, {
      ...(line === undefined ? {} : { line }),
      ...(column === undefined ? {} : { column }),
    });
  }
}

/**
 * A bad record of an NDJSON body: the record's own error (field `records[3].price`, same
 * code), plus the line it came from, which is what the caller's editor shows.
 */
export class InvalidLineError extends InvalidInputError {
  readonly line: number;
  constructor(line: number, error: InvalidInputError) {
    super(error.field, error.value, 'is invalid');
    this.line = line;
    // The record error's wording, prefixed; InvalidInputError has no constructor for that.
    this.message = `line ${line}: ${error.message}`;
  }
}

/**
 * Taking this body would go over BYTEAIR_INGEST_MAX_INFLIGHT_BYTES, the bodies held at once
 * across every request. Nothing of it was taken; the caller retries after Retry-After.
 */
export class IngestBusyError extends ByteairSyncError {
  readonly code = 'INGEST_BUSY';
  constructor(readonly limit: number) {
    super(
      `the ingest server is holding as many request bodies as it may (BYTEAIR_INGEST_MAX_INFLIGHT_BYTES=${limit}); nothing from this request was taken, retry it after Retry-After`,
      { limit },
    );
  }
}

/** Redis did not answer, so nothing could be made durable; the caller retries later. */
export class RedisUnreachableError extends ByteairSyncError {
  readonly code = 'REDIS_UNAVAILABLE';
  constructor(options: { cause: unknown }) {
    super('the queue store (Redis) is not reachable; nothing from this request was confirmed, retry it later', {}, options);
  }
}

export class RouteNotFoundError extends ByteairSyncError {
  readonly code = 'NOT_FOUND';
  constructor(method: string, path: string) {
    super(`no ingest endpoint ${method} ${path.slice(0, 200)}; see docs/ingest.md`);
  }
}
