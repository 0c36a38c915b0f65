import { gzipSync } from 'node:zlib';
import { fixedClock, type Clock } from 'byteair-sync/internal/src/clock.js';
import { buildRequest, type ApiCall } from 'byteair-sync/internal/src/byteair/request-builder.js';
import { startEmulator, type EmulatorOptions, type EmulatorTenant, type RunningEmulator } from '../../../src/index.js';
import { encodeDoneBody } from 'byteair-sync/internal/src/byteair/payload.js';
import type { Stage } from 'byteair-sync/internal/src/byteair/stage.js';
import { loadSdkVectors } from '../../../../../test/support/shared.js';
import { send, type HeaderList, type Reply } from './http.js';

const { vectors, meta } = loadSdkVectors();
const volc = vectors.find((v) => v.inputs.auth === 'volc');
const air = vectors.find((v) => v.inputs.auth === 'air');
if (volc === undefined || air === undefined) throw new Error('the SDK vectors lack a volc or an air capture');

/** The credentials the official SDK captures were made with (vectors/sdk-python-requests.json). */
export const TENANT: Required<EmulatorTenant> = {
  tenantId: volc.inputs.tenant_id,
  applicationId: volc.inputs.application_id,
  ak: volc.inputs.ak ?? '',
  sk: volc.inputs.sk ?? '',
  token: air.inputs.token ?? '',
};

/** 2022-01-02T03:04:05Z, the pinned time of every capture. */
export const VECTOR_TIME_MS = meta.fixed.unix_time * 1000;

/** A monotonic clock the test moves by hand, so window tests never depend on wall time. */
export interface ManualMonotonic {
  now: number;
  readonly read: () => number;
}

export function manualMonotonic(start = 0): ManualMonotonic {
  const clock = {
    now: start,
    read: () => clock.now,
  };
  return clock;
}

export async function withEmulator(options: Partial<EmulatorOptions>, run: (emulator: RunningEmulator) => Promise<void>): Promise<void> {
  const emulator = await startEmulator({ tenants: [TENANT], clock: fixedClock(VECTOR_TIME_MS), ...options });
  try {
    await run(emulator);
  } finally {
    await emulator.close();
  }
}

export type Auth = 'volc' | 'air';

export interface CallSpec {
  readonly auth?: Auth;
  readonly topic?: string;
  readonly stage?: Stage;
  /** Content-Date (write, offline stages); `null` leaves the header out. */
  readonly date?: string | null;
  readonly requestId?: string;
  readonly now?: number;
  readonly accept?: string;
  readonly applicationId?: string;
  readonly tenantId?: string;
  /** Credentials other than TENANT's. */
  readonly ak?: string;
  readonly sk?: string;
  readonly token?: string;
}

let counter = 0;
/** A Request-Id unique within the test run. */
export function nextRequestId(prefix = 'req'): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A request built and signed by the project's own request builder (the SDK's exact shape). */
export function signedRequest(kind: 'write' | 'done', body: Buffer, spec: CallSpec = {}): { path: string; headers: HeaderList; body: Buffer } {
  const stage = spec.stage ?? 'pre_sync';
  const requestId = spec.requestId ?? nextRequestId();
  const call: ApiCall =
    kind === 'write'
      ? {
          kind,
          topic: spec.topic ?? 'item',
          stage,
          date: spec.date === null ? undefined : (spec.date ?? (stage === 'incremental_sync_streaming' ? undefined : '2022-01-01')),
          requestId,
          body,
        }
      : { kind, topic: spec.topic ?? 'item', stage, requestId, body };
  const built = buildRequest({
    call,
    scheme: 'http',
    host: '127.0.0.1:1',
    tenantId: spec.tenantId ?? TENANT.tenantId,
    applicationId: spec.applicationId ?? TENANT.applicationId,
    credentials:
      (spec.auth ?? 'volc') === 'volc'
        ? { kind: 'volc', ak: spec.ak ?? TENANT.ak, sk: spec.sk ?? TENANT.sk }
        : { kind: 'air', token: spec.token ?? TENANT.token },
    now: spec.now ?? VECTOR_TIME_MS,
    nonce: 'n0nce123',
    ...(spec.accept === undefined ? {} : { accept: spec.accept }),
  });
  return { path: built.pathWithQuery, headers: built.headers, body: built.body };
}

export function postSigned(emulator: RunningEmulator, request: { path: string; headers: HeaderList; body: Buffer }): Promise<Reply> {
  return send(emulator.url, 'POST', request.path, request.headers, request.body);
}

export function write(emulator: RunningEmulator, records: readonly unknown[], spec: CallSpec = {}): Promise<Reply> {
  return postSigned(emulator, signedRequest('write', gzipSync(JSON.stringify(records)), spec));
}

export function done(emulator: RunningEmulator, dates: readonly string[], spec: CallSpec = {}): Promise<Reply> {
  return postSigned(emulator, signedRequest('done', encodeDoneBody(dates), spec));
}

/** `count` item records with ids `${prefix}${i}`. */
export function items(count: number, prefix = 'item-'): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, title: `title ${i}`, price: i }));
}

/** The headers with some replaced (by lower-case name), added, or removed (value undefined). */
export function editHeaders(headers: HeaderList, edits: Readonly<Record<string, string | undefined>>): HeaderList {
  const out: Array<readonly [string, string]> = [];
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (!(key in edits)) out.push([name, value]);
    else if (edits[key] !== undefined) out.push([name, edits[key]]);
  }
  for (const [key, value] of Object.entries(edits)) {
    if (value !== undefined && !headers.some(([name]) => name.toLowerCase() === key)) out.push([key, value]);
  }
  return out;
}

export type { Clock };
