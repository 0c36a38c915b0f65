import { DEFAULT_ID_FIELDS } from 'byteair-emulator';
import type { RecordRejectionRule } from 'byteair-emulator';

/**
 * The records the chaos and durability runs produce: each carries a unique id in its topic's
 * ledger field, and a known subset of `user` records breaks the one rejection rule the
 * emulator runs with, so which records come back in 1001 answers is decided by the data, not
 * by timing.
 */
export const REJECT_RULE: RecordRejectionRule = Object.freeze({ topic: 'user', field: 'age', equals: -1, reason: 'age out of range' });

/** Every REJECT_EVERY-th record of a batch that asks for rejections breaks REJECT_RULE. */
export const REJECT_EVERY = 53;

export function idFieldOf(topic: string): string {
  return DEFAULT_ID_FIELDS[topic] ?? 'id';
}

export function offlineRecordId(topic: string, stage: string, date: string, n: number): string {
  return `${topic}-${stage}-${date}-${n}`;
}

export function streamRecordId(topic: string, n: number): string {
  return `${topic}-s-${n}`;
}

/** Whether record `n` of a batch with rejections breaks REJECT_RULE. */
export function breaksRule(n: number): boolean {
  return n % REJECT_EVERY === REJECT_EVERY - 1;
}

export function offlineRecord(topic: string, stage: string, date: string, n: number, withRejections: boolean): Record<string, unknown> {
  return {
    [idFieldOf(topic)]: offlineRecordId(topic, stage, date, n),
    title: `record ${n}`,
    age: withRejections && breaksRule(n) ? REJECT_RULE.equals : 20 + (n % 50),
    tags: ['a', 'b'],
  };
}

export function streamRecord(topic: string, n: number): Record<string, unknown> {
  return { [idFieldOf(topic)]: streamRecordId(topic, n), event: 'view', at: n };
}
