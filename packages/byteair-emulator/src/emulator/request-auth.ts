import { timingSafeEqual } from 'node:crypto';
import { airSignatureHex } from 'byteair-sync/internal/src/byteair/air-signature.js';
import { expectedVolcSignature, parseAuthorization, sha256Hex } from 'byteair-sync/internal/src/byteair/volc-signature.js';
import type { EmulatorTenant } from './emulator-options.js';

/** Stable reasons, counted in the stats and named in the answer's message. */
export const AUTH_FAILURE_REASONS = [
  'missing-credentials',
  'malformed-credentials',
  'unknown-access-key',
  'unknown-tenant',
  'missing-signed-header',
  'body-hash-mismatch',
  'clock-skew',
  'signature-mismatch',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

export interface AuthRequest {
  readonly method: string;
  /** Path as sent, without the query. */
  readonly path: string;
  /** Query pairs as sent, percent-decoded. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  header(name: string): string | undefined;
  /** The exact body bytes (compressed, as signed). */
  readonly body: Buffer;
}

export type AuthOutcome =
  | { readonly ok: true; readonly scheme: 'volc' | 'air'; readonly tenants: readonly EmulatorTenant[] }
  | { readonly ok: false; readonly reason: AuthFailureReason; readonly message: string };

export interface AuthPolicy {
  readonly now: number;
  readonly volcSkewMs: number;
  readonly airSkewMs: number;
}

/** Credentials looked up the way the server must: Volc by AK, air by Tenant-Id. */
export class CredentialIndex {
  readonly #byAk = new Map<string, { sk: string; tenants: EmulatorTenant[] }>();
  readonly #byTenant = new Map<string, { token: string; tenants: EmulatorTenant[] }>();

  constructor(tenants: readonly EmulatorTenant[]) {
    for (const tenant of tenants) {
      if (tenant.ak !== undefined && tenant.sk !== undefined) {
        const entry = this.#byAk.get(tenant.ak) ?? { sk: tenant.sk, tenants: [] };
        entry.tenants.push(tenant);
        this.#byAk.set(tenant.ak, entry);
      }
      if (tenant.token !== undefined) {
        const entry = this.#byTenant.get(tenant.tenantId) ?? { token: tenant.token, tenants: [] };
        entry.tenants.push(tenant);
        this.#byTenant.set(tenant.tenantId, entry);
      }
    }
  }

  byAccessKey(ak: string): { sk: string; tenants: readonly EmulatorTenant[] } | undefined {
    return this.#byAk.get(ak);
  }

  byTenantId(tenantId: string): { token: string; tenants: readonly EmulatorTenant[] } | undefined {
    return this.#byTenant.get(tenantId);
  }
}

function fail(reason: AuthFailureReason, message: string): AuthOutcome {
  return { ok: false, reason, message: `authentication failed (${reason}): ${message}` };
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase(), 'utf8');
  const right = Buffer.from(b.toLowerCase(), 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `YYYYMMDDTHHMMSSZ` to epoch ms, or undefined. */
function parseXDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '') === value
    ? ms
    : undefined;
}

/**
 * Volc V4: the canonical request is rebuilt from the client's own SignedHeaders list (the
 * SDKs sign different sets) and the payload hash of the bytes actually received, so a
 * changed body fails even if its X-Content-Sha256 was changed to match.
 */
function verifyVolc(request: AuthRequest, authorization: string, index: CredentialIndex, policy: AuthPolicy): AuthOutcome {
  const parsed = parseAuthorization(authorization.trim());
  if (parsed === undefined)
    return fail('malformed-credentials', 'Authorization is not "HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=..., Signature=..."');
  const credentials = index.byAccessKey(parsed.accessKeyId);
  if (credentials === undefined) return fail('unknown-access-key', `access key ${parsed.accessKeyId} is not known`);
  const xDate = request.header('x-date');
  const signedAt = xDate === undefined ? undefined : parseXDate(xDate);
  if (xDate === undefined || signedAt === undefined) return fail('malformed-credentials', 'X-Date must be YYYYMMDDTHHMMSSZ');
  if (parsed.shortDate !== xDate.slice(0, 8)) return fail('malformed-credentials', `credential date ${parsed.shortDate} is not the date of X-Date ${xDate}`);
  const missing = parsed.signedHeaders.find((name) => request.header(name) === undefined);
  if (missing !== undefined) return fail('missing-signed-header', `signed header ${missing} is not in the request`);
  const payloadHash = sha256Hex(request.body);
  const claimed = request.header('x-content-sha256');
  if (claimed === undefined || !sameHex(claimed.trim(), payloadHash)) return fail('body-hash-mismatch', 'the body does not match X-Content-Sha256');
  if (Math.abs(policy.now - signedAt) > policy.volcSkewMs) {
    return fail('clock-skew', `X-Date ${xDate} is more than ${policy.volcSkewMs / 1000} s from the server time ${new Date(policy.now).toISOString()}`);
  }
  const expected = expectedVolcSignature(
    parsed,
    { method: request.method, path: request.path, query: request.query, header: (name) => request.header(name), payloadHash, xDate },
    credentials.sk,
  );
  if ('missingHeader' in expected) return fail('missing-signed-header', `signed header ${expected.missingHeader} is not in the request`);
  if (!sameHex(expected.signature, parsed.signature)) return fail('signature-mismatch', 'the signature does not match the request');
  return { ok: true, scheme: 'volc', tenants: credentials.tenants };
}

/** Air: sha256(token ‖ body bytes ‖ Tenant-Id ‖ Tenant-Ts ‖ Tenant-Nonce), hex in any case. */
function verifyAir(request: AuthRequest, signature: string, index: CredentialIndex, policy: AuthPolicy): AuthOutcome {
  const tenantId = request.header('tenant-id');
  if (tenantId === undefined) return fail('missing-credentials', 'Tenant-Id is missing');
  const credentials = index.byTenantId(tenantId);
  if (credentials === undefined) return fail('unknown-tenant', `tenant ${tenantId} has no token`);
  const ts = request.header('tenant-ts');
  const nonce = request.header('tenant-nonce');
  if (ts === undefined || !/^\d{1,12}$/.test(ts) || nonce === undefined || nonce === '')
    return fail('malformed-credentials', 'Tenant-Ts must be unix seconds and Tenant-Nonce present');
  if (Math.abs(Math.floor(policy.now / 1000) - Number(ts)) * 1000 > policy.airSkewMs) {
    return fail('clock-skew', `Tenant-Ts ${ts} is more than ${policy.airSkewMs / 1000} s from the server time ${Math.floor(policy.now / 1000)}`);
  }
  const expected = airSignatureHex(credentials.token, request.body, tenantId, ts, nonce);
  if (!sameHex(signature.trim(), expected)) return fail('signature-mismatch', 'Tenant-Signature does not match the request');
  return { ok: true, scheme: 'air', tenants: credentials.tenants };
}

/** Authenticates a request with whichever scheme it carries (Volc when Authorization is present). */
export function verifyRequestAuth(request: AuthRequest, index: CredentialIndex, policy: AuthPolicy): AuthOutcome {
  const authorization = request.header('authorization');
  if (authorization !== undefined) return verifyVolc(request, authorization, index, policy);
  const airSignature = request.header('tenant-signature');
  if (airSignature !== undefined) return verifyAir(request, airSignature, index, policy);
  return fail('missing-credentials', 'neither Authorization (volc) nor Tenant-Signature (air) is present');
}
