import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../src/clock.js';

export interface Session {
  readonly user: string;
  /** Random id, so a logged-out session can be refused until it would have expired. */
  readonly id: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export interface SessionTokensOptions {
  /** HMAC key; a fresh random one per process by default, so a restart logs everyone out. */
  readonly key?: Buffer;
  readonly ttlMs: number;
  readonly clock: Clock;
}

/**
 * Signed, stateless session tokens for the dashboard cookie: `payload.signature`, where the
 * payload is base64url JSON and the signature HMAC-SHA256 over it. Nothing is stored per
 * session except the ids of sessions logged out early (until they would expire anyway).
 */
export class SessionTokens {
  readonly #key: Buffer;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #revoked = new Map<string, number>();

  constructor(options: SessionTokensOptions) {
    this.#key = options.key ?? randomBytes(32);
    this.#ttlMs = options.ttlMs;
    this.#clock = options.clock;
  }

  issue(user: string): { readonly token: string; readonly session: Session } {
    const session: Session = { user, id: randomBytes(16).toString('base64url'), expiresAt: this.#clock.now() + this.#ttlMs };
    const payload = Buffer.from(JSON.stringify({ u: session.user, i: session.id, e: session.expiresAt }), 'utf8').toString('base64url');
    return { token: `${payload}.${this.#sign(payload).toString('base64url')}`, session };
  }

  /** The session a token stands for, or null when it is forged, altered, expired or logged out. */
  verify(token: string | undefined): Session | null {
    if (token === undefined || token.length > 1024) return null;
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.#sign(payload);
    // Lengths are public (always 32 for a real signature); only the bytes are compared in constant time.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const session = parsePayload(payload);
    if (session === null) return null;
    const now = this.#clock.now();
    this.#prune(now);
    if (session.expiresAt <= now || this.#revoked.has(session.id)) return null;
    return session;
  }

  /** Logout: the token stops working at once, even if a copy of the cookie survives somewhere. */
  revoke(session: Session): void {
    this.#prune(this.#clock.now());
    this.#revoked.set(session.id, session.expiresAt);
  }

  #sign(payload: string): Buffer {
    return createHmac('sha256', this.#key).update(payload, 'utf8').digest();
  }

  #prune(now: number): void {
    for (const [id, expiresAt] of this.#revoked) if (expiresAt <= now) this.#revoked.delete(id);
  }
}

function parsePayload(payload: string): Session | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { u, i, e } = value as Record<string, unknown>;
  if (typeof u !== 'string' || typeof i !== 'string' || typeof e !== 'number') return null;
  return { user: u, id: i, expiresAt: e };
}
