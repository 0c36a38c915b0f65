import type { Hash } from 'node:crypto';
import { airBodyHash, signAir } from './air-signature.js';
import type { Stage } from './stage.js';
import { sha256Hex, signVolc } from './volc-signature.js';

/** Credentials as the signer needs them, secrets already revealed by the caller. */
export type SigningCredentials = { readonly kind: 'volc'; readonly ak: string; readonly sk: string } | { readonly kind: 'air'; readonly token: string };

export type ApiCall =
  | {
      readonly kind: 'write';
      readonly topic: string;
      readonly stage: Stage;
      /** `YYYY-MM-DD`; required for offline stages, absent for streaming. */
      readonly date: string | undefined;
      readonly requestId: string;
      /** gzip(JSON array). */
      readonly body: Buffer;
    }
  | {
      readonly kind: 'done';
      readonly topic: string;
      readonly stage: Stage;
      readonly requestId: string;
      /** gzip(protobuf DoneRequest). */
      readonly body: Buffer;
    };

/**
 * What signing needs from the body alone, hashed once per call however often the call is
 * signed (the client signs when it builds the request and again right before it goes out, and
 * again for each host tried). A chunk's body is up to ~1 MB and hashing it takes 1-2 ms, which
 * would otherwise be spent between the limiter's go and the send.
 */
export type BodyDigest = { readonly kind: 'volc'; readonly payloadHash: string } | { readonly kind: 'air'; readonly tokenAndBody: Hash };

export function digestBody(credentials: SigningCredentials, body: Uint8Array): BodyDigest {
  return credentials.kind === 'volc' ? { kind: 'volc', payloadHash: sha256Hex(body) } : { kind: 'air', tokenAndBody: airBodyHash(credentials.token, body) };
}

export interface BuildRequestInput {
  readonly call: ApiCall;
  readonly scheme: 'http' | 'https';
  /** host or host:port, as configured; also the signed Host header. */
  readonly host: string;
  readonly tenantId: string;
  readonly applicationId: string;
  readonly credentials: SigningCredentials;
  readonly now: number;
  /** Air auth nonce; ignored for volc. */
  readonly nonce: string;
  /** Accept header; the SDKs always ask for protobuf. */
  readonly accept?: string;
  /** digestBody(credentials, call.body), when the call is signed more than once; hashed here otherwise. */
  readonly digest?: BodyDigest;
}

export interface BuiltRequest {
  readonly url: string;
  readonly method: 'POST';
  /** Path with query, as sent. */
  readonly pathWithQuery: string;
  /** Header names and values in sending order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/**
 * The exact HTTP request the official SDKs send for a write or done call
 * (docs/byteair-protocol.md §1-§2, §6). Pure: everything that varies is an argument.
 */
export function buildRequest(input: BuildRequestInput): BuiltRequest {
  const { call } = input;
  const path = call.kind === 'write' ? `/data/api/${input.applicationId}/${call.topic}` : `/data/api/${input.applicationId}/done`;
  // Query order and the absence of URL-encoding follow the SDKs; the values are plain tokens.
  const query: Array<[string, string]> =
    call.kind === 'write'
      ? [
          ['method', 'write'],
          ['stage', call.stage],
        ]
      : [
          ['topic', call.topic],
          ['stage', call.stage],
        ];
  const pathWithQuery = `${path}?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  const headers: Array<[string, string]> = [
    ['Accept-Encoding', 'gzip'],
    ['Accept', input.accept ?? 'application/x-protobuf'],
    ['Content-Encoding', 'gzip'],
    ['Content-Type', call.kind === 'write' ? 'application/json' : 'application/x-protobuf'],
    ['Tenant-Id', input.tenantId],
    ['Request-Id', call.requestId],
  ];
  if (call.kind === 'write' && call.date !== undefined) headers.push(['Content-Date', call.date]);
  headers.push(['Host', input.host]);

  if (input.credentials.kind === 'volc') {
    const signed = signVolc({
      method: 'POST',
      path,
      query,
      headers,
      body: call.body,
      ...(input.digest?.kind === 'volc' ? { payloadHash: input.digest.payloadHash } : {}),
      accessKeyId: input.credentials.ak,
      secretAccessKey: input.credentials.sk,
      now: input.now,
    });
    headers.push(
      ['X-Date', signed.headers['X-Date']],
      ['X-Content-Sha256', signed.headers['X-Content-Sha256']],
      ['Authorization', signed.headers.Authorization],
    );
  } else {
    const tokenAndBody = input.digest?.kind === 'air' ? input.digest.tokenAndBody : undefined;
    const signed = signAir({
      token: input.credentials.token,
      body: call.body,
      tenantId: input.tenantId,
      now: input.now,
      nonce: input.nonce,
      ...(tokenAndBody === undefined ? {} : { tokenAndBody }),
    });
    headers.push(
      ['Tenant-Ts', signed.headers['Tenant-Ts']],
      ['Tenant-Nonce', signed.headers['Tenant-Nonce']],
      ['Tenant-Signature', signed.headers['Tenant-Signature']],
    );
  }
  return { url: `${input.scheme}://${input.host}${pathWithQuery}`, method: 'POST', pathWithQuery, headers, body: call.body };
}
