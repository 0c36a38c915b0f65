import { createHash, type Hash } from 'node:crypto';

/**
 * "air auth" (docs/byteair-protocol.md §6b): hex SHA-256 over
 * token ‖ body bytes ‖ Tenant-Id ‖ Tenant-Ts ‖ Tenant-Nonce. Pure; nonce and time injected.
 */
export interface AirSignInput {
  readonly token: string;
  readonly body: Uint8Array;
  readonly tenantId: string;
  /** Signing time, epoch milliseconds (sent as whole seconds). */
  readonly now: number;
  readonly nonce: string;
  /** airBodyHash(token, body) when the same body is signed more than once; copied, never consumed. */
  readonly tokenAndBody?: Hash;
}

export interface AirSignature {
  readonly headers: {
    readonly 'Tenant-Ts': string;
    readonly 'Tenant-Nonce': string;
    readonly 'Tenant-Signature': string;
  };
}

/**
 * The SHA-256 state over token ‖ body: the costly part of the signature (a chunk's body is up
 * to ~1 MB), the same at every signing time. The body sits in the middle of the signed bytes,
 * so what can be kept is this state, copied for each signature.
 */
export function airBodyHash(token: string, body: Uint8Array): Hash {
  return createHash('sha256').update(token, 'utf8').update(body);
}

export function airSignatureHex(token: string, body: Uint8Array, tenantId: string, ts: string, nonce: string, tokenAndBody?: Hash): string {
  const state = tokenAndBody?.copy() ?? airBodyHash(token, body);
  return state.update(tenantId, 'utf8').update(ts, 'utf8').update(nonce, 'utf8').digest('hex');
}

export function signAir(input: AirSignInput): AirSignature {
  const ts = String(Math.floor(input.now / 1000));
  return {
    headers: {
      'Tenant-Ts': ts,
      'Tenant-Nonce': input.nonce,
      'Tenant-Signature': airSignatureHex(input.token, input.body, input.tenantId, ts, input.nonce, input.tokenAndBody),
    },
  };
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 8 distinct alphanumerics, like the Python SDK (`random.sample`). `random` is injectable. */
export function makeNonce(random: () => number): string {
  const pool = NONCE_ALPHABET.split('');
  let nonce = '';
  for (let i = 0; i < 8; i += 1) {
    const index = Math.floor(random() * pool.length);
    nonce += pool.splice(index, 1)[0] ?? 'x';
  }
  return nonce;
}
