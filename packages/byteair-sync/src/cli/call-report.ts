import type { CallMeta, DoneResult, WriteResult } from '../byteair/api-result.js';
import type { Status } from '../byteair/messages.js';
import { EXIT_PARTIAL } from './run-action.js';

/** What a direct command prints: readable lines, the full result as JSON, and its exit code. */
export interface CallReport {
  readonly lines: readonly string[];
  readonly json: Readonly<Record<string, unknown>>;
  readonly exitCode: number;
}

export interface WriteTarget {
  readonly topic: string;
  readonly stage: string;
  readonly date: string | undefined;
  readonly records: number;
  readonly requestId: string;
}

export interface DoneTarget {
  readonly topic: string;
  readonly stage: string;
  readonly dates: readonly string[];
  readonly requestId: string;
}

function statusText(status: Status): string {
  return `status ${status.code}${status.message === '' ? '' : ` ${JSON.stringify(status.message)}`}`;
}

function metaJson(meta: CallMeta): Record<string, unknown> {
  return { host: meta.host, httpStatus: meta.httpStatus, latencyMs: meta.latencyMs };
}

export function reportWrite(target: WriteTarget, { result, meta }: { result: WriteResult; meta: CallMeta }): CallReport {
  const where = `${target.topic}/${target.stage}${target.date === undefined ? '' : ` ${target.date}`}`;
  const context = `${statusText(result.status)}, request id ${target.requestId}, host ${meta.host}`;
  const json = { command: 'write', outcome: result.kind, ...target, date: target.date ?? null, status: result.status, ...metaJson(meta) };
  switch (result.kind) {
    case 'accepted':
      return { lines: [`accepted: ${target.records} records written to ${where} (${context})`], json, exitCode: 0 };
    case 'duplicate':
      return {
        lines: [`duplicate: the API had already received request id ${target.requestId} for ${where}; its records were applied then (${context})`],
        json,
        exitCode: 0,
      };
    case 'partial':
      return {
        lines: [
          `partial: ${result.rejected.length} of ${target.records} records rejected for ${where}, the others written (${context})`,
          ...result.rejected.map((r) => `rejected: ${r.reason}: ${r.data}`),
        ],
        json: { ...json, rejected: result.rejected },
        exitCode: EXIT_PARTIAL,
      };
  }
}

export function reportDone(target: DoneTarget, { result, meta }: { result: DoneResult; meta: CallMeta }): CallReport {
  const where = `${target.topic}/${target.stage} ${target.dates.join(', ')}`;
  const context = `${statusText(result.status)}, request id ${target.requestId}, host ${meta.host}`;
  const json = { command: 'done', outcome: result.kind, ...target, status: result.status, ...metaJson(meta) };
  if (result.kind === 'duplicate') {
    return { lines: [`duplicate: the API had already received request id ${target.requestId}; ${where} was marked done then (${context})`], json, exitCode: 0 };
  }
  return { lines: [`accepted: ${where} marked done (${context})`], json, exitCode: 0 };
}

/**
 * Readable lines go to stdout; with `--json` the JSON goes to stdout alone (so it pipes into
 * jq) and the readable lines to stderr. Returns the exit code.
 */
export function printReport(report: CallReport, asJson: boolean): number {
  const text = report.lines.map((line) => `${line}\n`).join('');
  if (asJson) {
    process.stderr.write(text);
    process.stdout.write(`${JSON.stringify(report.json)}\n`);
  } else {
    process.stdout.write(text);
  }
  return report.exitCode;
}
