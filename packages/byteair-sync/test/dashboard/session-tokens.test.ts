import { createHmac } from 'node:crypto';
import type { Clock } from '../../src/clock.js';
import { SessionTokens } from '../../dashboards/session-tokens.js';

/** A clock the test moves by hand; starts at an arbitrary fixed time. */
function steppingClock(): Clock & { advance(ms: number): void } {
  let now = Date.UTC(2026, 0, 1);
  return { now: () => now, advance: (ms) => (now += ms) };
}

const TTL_MS = 60_000;
const KEY = Buffer.alloc(32, 7);

function tokensWith(clock: Clock, key = KEY): SessionTokens {
  return new SessionTokens({ key, ttlMs: TTL_MS, clock });
}

test('a token issued for a user verifies to that user until the TTL runs out, and not a millisecond longer', () => {
  const clock = steppingClock();
  const tokens = tokensWith(clock);
  const { token, session } = tokens.issue('ops');
  expect(session.expiresAt).toBe(clock.now() + TTL_MS);
  expect(tokens.verify(token)).toEqual(session);
  clock.advance(TTL_MS - 1);
  expect(tokens.verify(token)?.user).toBe('ops');
  clock.advance(1);
  expect(tokens.verify(token)).toBeNull();
});

// Control for the test above: the same token with the clock left alone stays valid, so it
// expired because time moved, not because something else made it invalid.
test('control: without the clock moving the same token stays valid', () => {
  const clock = steppingClock();
  const tokens = tokensWith(clock);
  const { token } = tokens.issue('ops');
  for (let i = 0; i < 3; i += 1) expect(tokens.verify(token)?.user).toBe('ops');
});

test('a revoked session is refused at once; another session of the same user is not', () => {
  const clock = steppingClock();
  const tokens = tokensWith(clock);
  const first = tokens.issue('ops');
  const second = tokens.issue('ops');
  tokens.revoke(first.session);
  expect(tokens.verify(first.token)).toBeNull();
  expect(tokens.verify(second.token)?.id).toBe(second.session.id);
  expect(first.session.id).not.toBe(second.session.id);
});

test('an altered payload, a foreign key, a truncated or oversized token and junk are all refused', () => {
  const clock = steppingClock();
  const tokens = tokensWith(clock);
  const { token } = tokens.issue('ops');
  const [payload = '', signature = ''] = token.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ u: 'admin', i: 'x', e: clock.now() + TTL_MS }), 'utf8').toString('base64url');
  const refused = [
    `${forgedPayload}.${signature}`,
    `${payload}.${signature.slice(0, -2)}`,
    tokensWith(clock, Buffer.alloc(32, 8)).issue('ops').token,
    `${token}${'a'.repeat(1024)}`,
    payload,
    `.${signature}`,
    '',
    'not-a-token',
    undefined,
  ];
  for (const candidate of refused) expect(tokens.verify(candidate)).toBeNull();
  expect(tokens.verify(token)?.user).toBe('ops');
});

test('a correctly signed payload of the wrong shape is refused, not trusted', () => {
  const tokens = tokensWith(steppingClock());
  // Signed as the class documents it (HMAC-SHA256 over the base64url payload), with its key.
  const signed = (value: unknown): string => {
    const payload = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    return `${payload}.${createHmac('sha256', KEY).update(payload, 'utf8').digest('base64url')}`;
  };
  const far = Date.UTC(2100, 0, 1);
  // The control: a well-formed payload signed this way is accepted, so the refusals below are about shape.
  expect(tokens.verify(signed({ u: 'ops', i: 'id', e: far }))?.user).toBe('ops');
  for (const shape of [[], null, 'ops', { u: 'ops', i: 'id', e: String(far) }, { u: 1, i: 'id', e: far }, { u: 'ops', e: far }]) {
    expect(tokens.verify(signed(shape))).toBeNull();
  }
  expect(
    tokens.verify(
      `${Buffer.from('{not json').toString('base64url')}.${createHmac('sha256', KEY).update(Buffer.from('{not json').toString('base64url'), 'utf8').digest('base64url')}`,
    ),
  ).toBeNull();
});

test('each process makes its own key by default, so a restart ends every session', () => {
  const clock = steppingClock();
  const before = new SessionTokens({ ttlMs: TTL_MS, clock }).issue('ops').token;
  expect(new SessionTokens({ ttlMs: TTL_MS, clock }).verify(before)).toBeNull();
});
