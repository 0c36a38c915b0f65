import type { RejectedRow } from '../operations/sync-operations.js';

/** Export formats of rejected records. */
export const REJECTED_FORMATS = ['jsonl', 'csv'] as const;
export type RejectedFormat = (typeof REJECTED_FORMATS)[number];

/** Where a rejection belongs, from its owner: `topic/stage/date` for a batch, `stream/topic` for streaming. */
export function ownerParts(owner: string): { topic: string; stage: string; date: string | null } {
  if (owner.startsWith('stream/')) return { topic: owner.slice('stream/'.length), stage: 'incremental_sync_streaming', date: null };
  const [topic = '', stage = '', date = null] = owner.split('/');
  return { topic, stage, date };
}

const CSV_COLUMNS = ['topic', 'stage', 'date', 'request_id', 'rejected_at', 'reason', 'record'] as const;

/** RFC 4180: quoted when it holds a comma, quote or line break (or edge spaces a reader might trim). */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function rejectedHeader(format: RejectedFormat): string | undefined {
  return format === 'csv' ? `${CSV_COLUMNS.join(',')}\r\n` : undefined;
}

/**
 * One exported line. `record` is the record as the API echoed it (JSON text): kept as text,
 * because it is the server's copy and may not be the JSON that was sent.
 */
export function rejectedLine(row: RejectedRow, format: RejectedFormat): string {
  const { topic, stage, date } = ownerParts(row.owner);
  const at = new Date(row.at).toISOString();
  if (format === 'jsonl') return `${JSON.stringify({ topic, stage, date, requestId: row.requestId, rejectedAt: at, reason: row.reason, record: row.data })}\n`;
  return `${[topic, stage, date ?? '', row.requestId, at, row.reason, row.data].map(csvField).join(',')}\r\n`;
}
