import type { DataError } from 'byteair-sync/internal/src/byteair/messages.js';
import { recordIdOf } from './id-ledger.js';
import { compileRules, recordProblem, type CompiledRule, type RecordRejectionRule } from './record-rules.js';
import { decodeContent, isBodyProblem, parseDoneDates, parseWriteRecords, type BodyProblem, type Inflate } from './request-body.js';

/**
 * One write or done body and everything its verdict depends on. All of it survives the
 * structured clone to a worker thread (plain data; the body arrives there as a Uint8Array).
 */
export interface BodyJob {
  readonly call: 'write' | 'done';
  readonly body: Uint8Array;
  readonly contentEncoding: string | undefined;
  readonly contentType: string | undefined;
  readonly topic: { readonly name: string; readonly idField: string; readonly requiredFields: readonly string[] };
  /** The per-record rejection rules in force when the request arrived. */
  readonly rules: readonly RecordRejectionRule[];
}

export interface WriteVerdict {
  readonly call: 'write';
  /** Every record of the body, refused ones included: the load it puts on the rate windows. */
  readonly recordCount: number;
  /** The refused records in body order, as a 1001 answer lists them. */
  readonly errors: readonly DataError[];
  /** Ledger ids of the records that pass, in body order. */
  readonly acceptedIds: readonly string[];
  /** Records that pass but have no usable id. */
  readonly acceptedWithoutId: number;
}

interface DoneVerdict {
  readonly call: 'done';
  /** `YYYY-MM-DD`, de-duplicated; empty means "the previous day". */
  readonly dates: readonly string[];
}

export type BodyVerdict = WriteVerdict | DoneVerdict;

export type JudgeBody = (job: BodyJob) => Promise<BodyVerdict | BodyProblem>;

/**
 * The CPU-heavy part of a request: decompress, parse, and check every record (required
 * fields, rejection rules, id). It decides nothing that depends on emulator state, so it can
 * run on any thread; the caller applies the verdict only if the request gets that far.
 */
export function createBodyJudge(inflate: Inflate): JudgeBody {
  // Rules change rarely (setFaults) but arrive with every job, cloned; compile once per change.
  let compiled: { key: string; rules: readonly CompiledRule[] } = { key: '[]', rules: [] };
  return async (job) => {
    const key = JSON.stringify(job.rules);
    if (key !== compiled.key) compiled = { key, rules: compileRules(job.rules) };
    const content = await decodeContent(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength), job.contentEncoding, inflate);
    if (isBodyProblem(content)) return content;
    if (job.call === 'done') {
      const dates = parseDoneDates(content, job.contentType);
      return isBodyProblem(dates) ? dates : { call: 'done', dates };
    }
    const records = parseWriteRecords(content);
    if (isBodyProblem(records)) return records;
    const { name, idField, requiredFields } = job.topic;
    const errors: DataError[] = [];
    const acceptedIds: string[] = [];
    let acceptedWithoutId = 0;
    for (const record of records) {
      const problem = recordProblem(record, name, requiredFields, compiled.rules);
      if (problem !== undefined) {
        errors.push({ message: problem, data: JSON.stringify(record) });
        continue;
      }
      const id = recordIdOf(record, idField);
      if (id === undefined) acceptedWithoutId += 1;
      else acceptedIds.push(id);
    }
    return { call: 'write', recordCount: records.length, errors, acceptedIds, acceptedWithoutId };
  };
}
