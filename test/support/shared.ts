import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file is test/support/shared.ts). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The product's workspace package (its package.json, dashboards/, dist/). */
export const PRODUCT_ROOT = resolve(PROJECT_ROOT, 'packages', 'byteair-sync');

/** `../shared/` beside the checkout (read-only), or $SHARED_DIR. */
export const SHARED_DIR = process.env.SHARED_DIR ?? resolve(PROJECT_ROOT, '..', 'shared');

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape of the file it reads
export function readSharedJson<T>(relative: string): T {
  return JSON.parse(readFileSync(resolve(SHARED_DIR, relative), 'utf8')) as T;
}

export interface SdkVector {
  name: string;
  call: 'write_data' | 'done';
  inputs: {
    auth: 'volc' | 'air';
    tenant_id: string;
    application_id: string;
    ak?: string;
    sk?: string;
    token?: string;
    topic: string;
    stage: string;
    data_date?: string;
    dates?: string[];
    request_id: string | null;
    records?: unknown[];
    headers?: Record<string, string>;
    fixed_unix_time: number;
    fixed_nonce?: string;
    fixed_default_uuid1?: string;
  };
  request: {
    method: string;
    url: string;
    path: string;
    headers: Array<[string, string]>;
    body_b64: string;
    body_sha256: string;
    body_decoded: { uncompressed_b64: string; uncompressed_hex?: string; done_request?: { data_dates: Array<{ year: number; month: number; day: number }> } };
  };
  volc_signing?: {
    authorization: string;
    sdk_canonical_request: string;
    sdk_string_to_sign: string;
    parsed_authorization: { signature: string; signed_headers: string[] };
  };
  air_signing?: { tenant_ts: string; tenant_nonce: string; tenant_signature: string };
}

export interface SdkVectors {
  meta: { fixed: { unix_time: number; air_nonce: string }; server: { host: string; port: number } };
  vectors: SdkVector[];
}

export function loadSdkVectors(): SdkVectors {
  return readSharedJson<SdkVectors>('vectors/sdk-python-requests.json');
}

export function vectorHeader(vector: SdkVector, name: string): string | undefined {
  return vector.request.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}
