import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Secret } from '../config/secret.js';
import { AuthInvalidError, AuthRequiredError } from './ingest-errors.js';

/**
 * Constant-time comparison of two tokens. Both sides are hashed first so the comparison
 * takes the same time whatever the lengths are: timingSafeEqual alone would throw (and so
 * reveal) on a length mismatch.
 */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** `Bearer <token>` (scheme case-insensitive, RFC 6750); undefined when absent or another scheme. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

/** Lets a request through only with the configured bearer token; the token is revealed here alone. */
export function bearerAuth(token: Secret): RequestHandler {
  return (req, _res, next) => {
    const given = bearerTokenOf(req.headers.authorization);
    if (given === undefined) {
      next(new AuthRequiredError());
      return;
    }
    next(tokensMatch(given, token.reveal()) ? undefined : new AuthInvalidError());
  };
}
