import { createHash, createHmac } from 'node:crypto';

/**
 * Volcengine "HMAC-SHA256" (V4-style) request signing for the ByteAir data API, as the
 * official SDKs do it (docs/byteair-protocol.md §6a). Pure: bytes, credentials and the
 * time in; headers out. The emulator verifies with the same canonical-request builder.
 */

export const VOLC_ALGORITHM = 'HMAC-SHA256';
export const VOLC_SERVICE = 'air';
/** All current SDKs sign with this literal region; the server does not pin it. */
export const VOLC_REGION = 'placeholder';

export interface CanonicalRequestInput {
  readonly method: string;
  /** URL path without the query string, not yet percent-encoded. */
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Signed header names (any case) and their values, exactly as sent. */
  readonly signedHeaders: ReadonlyArray<readonly [string, string]>;
  readonly payloadHash: string;
}

export interface VolcSignInput {
  readonly method: string;
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Every header the request will carry (besides the three this adds); the signable ones are chosen here. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array;
  /** Hex SHA-256 of body, when already known (the same body signed more than once). */
  readonly payloadHash?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Signing time, epoch milliseconds. */
  readonly now: number;
  readonly region?: string;
  readonly service?: string;
}

export interface VolcSignature {
  /** Headers to add to the request, in the case the Go and Java SDKs use. */
  readonly headers: {
    readonly 'X-Date': string;
    readonly 'X-Content-Sha256': string;
    readonly Authorization: string;
  };
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly signedHeaderNames: readonly string[];
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function formatXDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** RFC 3986 percent-encoding: only A-Z a-z 0-9 - _ . ~ stay literal. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalPath(path: string): string {
  if (path === '') return '/';
  return path
    .split('/')
    .map((segment) => rfc3986(decodeURIComponentSafe(segment)))
    .join('/');
}

function decodeURIComponentSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return [...query]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Header values are trimmed and inner runs of white space folded to one space (the Python SDK). */
function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

export function buildCanonicalRequest(input: CanonicalRequestInput): { canonicalRequest: string; signedHeaderNames: string[] } {
  const headers = input.signedHeaders
    .map(([name, value]) => [name.toLowerCase(), canonicalHeaderValue(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaderNames = headers.map(([name]) => name);
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(input.path),
    canonicalQuery(input.query),
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaderNames.join(';'),
    input.payloadHash,
  ].join('\n');
  return { canonicalRequest, signedHeaderNames };
}

export function credentialScope(shortDate: string, region: string, service: string): string {
  return `${shortDate}/${region}/${service}/request`;
}

export function stringToSign(xDate: string, scope: string, canonicalRequest: string): string {
  return [VOLC_ALGORITHM, xDate, scope, sha256Hex(canonicalRequest)].join('\n');
}

export function signingKey(secretAccessKey: string, shortDate: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(secretAccessKey, shortDate), region), service), 'request');
}

/** Which headers the signer covers: host, content-type, date and every x-* but x-client-context. */
export function isSignableHeader(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'x-client-context') return false;
  return lower === 'host' || lower === 'content-type' || lower === 'date' || lower.startsWith('x-');
}

export function signVolc(input: VolcSignInput): VolcSignature {
  const region = input.region ?? VOLC_REGION;
  const service = input.service ?? VOLC_SERVICE;
  const xDate = formatXDate(input.now);
  const shortDate = xDate.slice(0, 8);
  const payloadHash = input.payloadHash ?? sha256Hex(input.body);
  const signable = input.headers.filter(([name]) => isSignableHeader(name) && !/^x-(date|content-sha256)$/i.test(name));
  const { canonicalRequest, signedHeaderNames } = buildCanonicalRequest({
    method: input.method,
    path: input.path,
    query: input.query,
    signedHeaders: [...signable, ['x-date', xDate], ['x-content-sha256', payloadHash]],
    payloadHash,
  });
  const scope = credentialScope(shortDate, region, service);
  const toSign = stringToSign(xDate, scope, canonicalRequest);
  const signature = createHmac('sha256', signingKey(input.secretAccessKey, shortDate, region, service))
    .update(toSign, 'utf8')
    .digest('hex');
  return {
    headers: {
      'X-Date': xDate,
      'X-Content-Sha256': payloadHash,
      Authorization: `${VOLC_ALGORITHM} Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaderNames.join(';')}, Signature=${signature}`,
    },
    canonicalRequest,
    stringToSign: toSign,
    signature,
    signedHeaderNames,
  };
}

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly shortDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses `HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const match =
    /^HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]{64})\s*$/.exec(header);
  if (match === null) return undefined;
  const [, accessKeyId, shortDate, region, service, signed, signature] = match as unknown as [string, string, string, string, string, string, string];
  return { accessKeyId, shortDate, region, service, signedHeaders: signed.split(';'), signature: signature.toLowerCase() };
}

/** The signature a request should carry, recomputed from the client's own SignedHeaders list. */
export function expectedVolcSignature(
  parsed: ParsedAuthorization,
  request: {
    method: string;
    path: string;
    query: ReadonlyArray<readonly [string, string]>;
    header(name: string): string | undefined;
    payloadHash: string;
    xDate: string;
  },
  secretAccessKey: string,
): { signature: string; canonicalRequest: string } | { missingHeader: string } {
  const signedHeaders: Array<[string, string]> = [];
  for (const name of parsed.signedHeaders) {
    const value = request.header(name);
    if (value === undefined) return { missingHeader: name };
    signedHeaders.push([name, value]);
  }
  const { canonicalRequest } = buildCanonicalRequest({
    method: request.method,
    path: request.path,
    query: request.query,
    signedHeaders,
    payloadHash: request.payloadHash,
  });
  const scope = credentialScope(parsed.shortDate, parsed.region, parsed.service);
  const toSign = stringToSign(request.xDate, scope, canonicalRequest);
  const key = signingKey(secretAccessKey, parsed.shortDate, parsed.region, parsed.service);
  return { signature: createHmac('sha256', key).update(toSign, 'utf8').digest('hex'), canonicalRequest };
}
