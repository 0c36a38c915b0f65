import { parseJobData } from '../src/queue/job-data.js';

/**
 * What Bull Board may show of a job. Job data is treated as untrusted (a job may have been
 * added by an older or a foreign producer): only known fields are copied, by type, strings
 * clipped, so no record payload, blob content or secret that somehow got into a job reaches
 * the browser. Records themselves never travel in job data (only a blob key and counts).
 */
const MAX_TEXT = 160;

function text(value: string): string {
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
}

function isoTime(ms: number): string | number {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : ms;
}

export type ShownJobData = Readonly<Record<string, string | number | null | Readonly<Record<string, string>>>>;

export function formatJobData(data: unknown): ShownJobData {
  let job;
  try {
    job = parseJobData(data);
  } catch {
    return { shown: 'nothing: this job data is not in a shape byteair-sync knows (version 1), so none of it is displayed' };
  }
  const common = {
    kind: job.kind,
    topic: text(job.topic),
    stage: job.stage,
    date: job.date === null ? null : text(job.date),
    requestId: text(job.requestId),
    enqueuedAt: isoTime(job.enqueuedAt),
  };
  if (job.kind === 'done') return { ...common, batchId: text(job.batchId) };
  return {
    ...common,
    records: job.records,
    bytes: job.bytes,
    batchId: job.batchId === null ? null : text(job.batchId),
    blobKey: text(job.blobKey),
    ...(typeof job.intake?.first === 'string' && typeof job.intake.last === 'string'
      ? { intake: { first: text(job.intake.first), last: text(job.intake.last) } }
      : {}),
  };
}

export type ShownReturnValue = Readonly<Record<string, string | number>> | null;

/** A finished job returns {outcome, records?, rejected?}; anything else is not displayed. */
export function formatReturnValue(value: unknown): ShownReturnValue {
  if (typeof value !== 'object' || value === null) return null;
  const source = value as Record<string, unknown>;
  const shown: Record<string, string | number> = {};
  if (typeof source.outcome === 'string') shown.outcome = text(source.outcome);
  if (typeof source.records === 'number') shown.records = source.records;
  if (typeof source.rejected === 'number') shown.rejected = source.rejected;
  return shown;
}

/** The name Bull Board lists: `write item/history_sync/2022-01-01 ×1000`. */
export function formatJobName(job: unknown): string {
  const name = typeof job === 'object' && job !== null && 'name' in job && typeof job.name === 'string' ? text(job.name) : 'job';
  const data = typeof job === 'object' && job !== null && 'data' in job ? formatJobData(job.data) : undefined;
  if (data === undefined || typeof data.topic !== 'string') return name;
  const where = [data.topic, data.stage, data.date].filter((part) => typeof part === 'string').join('/');
  return typeof data.records === 'number' ? `${name} ${where} ×${data.records}` : `${name} ${where}`;
}

/** We never report progress; a number set by anyone else is harmless, anything else is dropped. */
export function formatProgress(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
