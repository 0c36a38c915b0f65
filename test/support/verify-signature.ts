import { expectedVolcSignature, parseAuthorization, sha256Hex } from 'byteair-sync/internal/src/byteair/volc-signature.js';
import type { RecordedRequest } from './scripted-server.js';

export interface VolcCheck {
  /** True when the signature recomputed from what arrived equals the one sent. */
  readonly valid: boolean;
  readonly accessKeyId: string | undefined;
  readonly signedHeaders: readonly string[];
  readonly bodyHashMatches: boolean;
}

/** Recomputes a received request's Volc signature with the client's own SignedHeaders list, as the API does. */
export function checkVolcSignature(request: RecordedRequest, secretAccessKey: string): VolcCheck {
  const parsed = parseAuthorization(request.header('authorization') ?? '');
  const payloadHash = sha256Hex(request.body);
  const bodyHashMatches = request.header('x-content-sha256') === payloadHash;
  if (parsed === undefined) return { valid: false, accessKeyId: undefined, signedHeaders: [], bodyHashMatches };
  const expected = expectedVolcSignature(
    parsed,
    {
      method: request.method,
      path: request.path,
      query: request.query,
      header: (name) => request.header(name),
      payloadHash,
      xDate: request.header('x-date') ?? '',
    },
    secretAccessKey,
  );
  return {
    valid: 'signature' in expected && expected.signature === parsed.signature,
    accessKeyId: parsed.accessKeyId,
    signedHeaders: parsed.signedHeaders,
    bodyHashMatches,
  };
}
