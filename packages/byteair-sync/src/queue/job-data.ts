import type { OfflineStage, Stage } from '../byteair/stage.js';
import { isOfflineStage, isStage } from '../byteair/stage.js';

/**
 * What a job carries. Jobs outlive deploys, so every payload has a version `v` and is
 * validated (parseJobData) before use; records never travel in a job, only a blob key.
 */
export const JOB_DATA_VERSION = 1;

export interface WriteJobData {
  readonly v: 1;
  readonly kind: 'write';
  readonly topic: string;
  readonly stage: Stage;
  /** `YYYY-MM-DD` for offline stages, null for streaming. */
  readonly date: string | null;
  readonly requestId: string;
  readonly blobKey: string;
  readonly records: number;
  /** Uncompressed JSON bytes (for metrics and status). */
  readonly bytes: number;
  /** Offline batch this chunk belongs to; null for streaming. */
  readonly batchId: string | null;
  readonly enqueuedAt: number;
  /** Streaming only: the intake entries the chunk covers (their ids carry the push time). */
  readonly intake?: { readonly first: string; readonly last: string };
}

export interface DoneJobData {
  readonly v: 1;
  readonly kind: 'done';
  readonly topic: string;
  readonly stage: OfflineStage;
  readonly date: string;
  readonly requestId: string;
  readonly batchId: string;
  readonly enqueuedAt: number;
}

export type SyncJobData = WriteJobData | DoneJobData;

export class JobDataError extends Error {
  constructor(message: string) {
    super(`invalid job data: ${message}`);
    this.name = 'JobDataError';
  }
}

function field(data: Record<string, unknown>, name: string, type: 'string' | 'number'): void {
  if (typeof data[name] !== type) throw new JobDataError(`${name} must be a ${type} (got ${JSON.stringify(data[name])})`);
}

/** Narrows unknown job data to SyncJobData, or throws JobDataError naming the field. */
export function parseJobData(data: unknown): SyncJobData {
  if (typeof data !== 'object' || data === null) throw new JobDataError('not an object');
  const record = data as Record<string, unknown>;
  if (record.v !== JOB_DATA_VERSION) throw new JobDataError(`unsupported version ${JSON.stringify(record.v)}`);
  field(record, 'topic', 'string');
  field(record, 'requestId', 'string');
  field(record, 'enqueuedAt', 'number');
  if (record.kind === 'write') {
    if (!isStage(record.stage)) throw new JobDataError(`stage ${JSON.stringify(record.stage)}`);
    field(record, 'blobKey', 'string');
    field(record, 'records', 'number');
    field(record, 'bytes', 'number');
    const offline = isOfflineStage(record.stage);
    if (offline ? typeof record.date !== 'string' || typeof record.batchId !== 'string' : record.date !== null) {
      throw new JobDataError(`date/batchId do not fit stage ${record.stage}`);
    }
    return record as unknown as WriteJobData;
  }
  if (record.kind === 'done') {
    if (!isOfflineStage(record.stage)) throw new JobDataError(`stage ${JSON.stringify(record.stage)}`);
    field(record, 'date', 'string');
    field(record, 'batchId', 'string');
    return record as unknown as DoneJobData;
  }
  throw new JobDataError(`kind ${JSON.stringify(record.kind)}`);
}
