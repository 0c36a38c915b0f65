import { InvalidInputError } from 'byteair-sync/internal/src/errors/invalid-input-error.js';

/**
 * A per-record rejection rule: a record of `topic` (any topic when absent) whose `field` is
 * missing, equals a value, or matches a regular expression comes back in a 1001 answer with
 * `reason`. Exactly one condition per rule.
 */
export interface RecordRejectionRule {
  readonly topic?: string;
  readonly field: string;
  readonly missing?: boolean;
  readonly equals?: string | number | boolean | null;
  /** Regular expression source, tested against string and number values. */
  readonly matches?: string;
  readonly reason: string;
}

type JsonRecord = Readonly<Record<string, unknown>>;

/** A rule ready to test; the regular expression is compiled once. */
export interface CompiledRule {
  readonly topic: string | undefined;
  test(record: JsonRecord): boolean;
  readonly reason: string;
}

const RULE_KEYS = new Set(['topic', 'field', 'missing', 'equals', 'matches', 'reason']);

export function parseRecordRejectionRules(value: unknown, path: string): readonly RecordRejectionRule[] {
  if (!Array.isArray(value)) throw new InvalidInputError(path, value, 'must be an array of rules');
  return Object.freeze(value.map((rule: unknown, index) => parseRule(rule, `${path}[${index}]`)));
}

function parseRule(rule: unknown, path: string): RecordRejectionRule {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) throw new InvalidInputError(path, rule, 'must be an object');
  const r = rule as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!RULE_KEYS.has(key)) throw new InvalidInputError(`${path}.${key}`, r[key], `unknown key; known: ${[...RULE_KEYS].join(', ')}`);
  }
  if (typeof r.field !== 'string' || r.field === '') throw new InvalidInputError(`${path}.field`, r.field, 'must be a non-empty string');
  if (typeof r.reason !== 'string' || r.reason === '') throw new InvalidInputError(`${path}.reason`, r.reason, 'must be a non-empty string');
  if (r.topic !== undefined && typeof r.topic !== 'string') throw new InvalidInputError(`${path}.topic`, r.topic, 'must be a string');
  const conditions = ['missing', 'equals', 'matches'].filter((key) => r[key] !== undefined);
  if (conditions.length !== 1) throw new InvalidInputError(path, rule, 'needs exactly one of missing, equals, matches');
  if (r.missing !== undefined && r.missing !== true) throw new InvalidInputError(`${path}.missing`, r.missing, 'must be true');
  if (r.equals !== undefined && r.equals !== null && !['string', 'number', 'boolean'].includes(typeof r.equals)) {
    throw new InvalidInputError(`${path}.equals`, r.equals, 'must be a string, number, boolean or null');
  }
  if (r.matches !== undefined) {
    if (typeof r.matches !== 'string') throw new InvalidInputError(`${path}.matches`, r.matches, 'must be a regular expression string');
    try {
      new RegExp(r.matches);
    } catch (error) {
      throw new InvalidInputError(`${path}.matches`, r.matches, `is not a valid regular expression (${(error as Error).message})`);
    }
  }
  return Object.freeze({ ...(r as unknown as RecordRejectionRule) });
}

export function compileRules(rules: readonly RecordRejectionRule[]): readonly CompiledRule[] {
  return rules.map((rule) => {
    const { field } = rule;
    let test: (record: JsonRecord) => boolean;
    if (rule.missing === true) test = (record) => record[field] === undefined || record[field] === null;
    else if (rule.matches !== undefined) {
      const pattern = new RegExp(rule.matches);
      test = (record) => {
        const value = record[field];
        return (typeof value === 'string' || typeof value === 'number') && pattern.test(String(value));
      };
    } else {
      const expected = rule.equals;
      test = (record) => record[field] === expected;
    }
    return { topic: rule.topic, test, reason: rule.reason };
  });
}

/**
 * Why the server would refuse this record, or undefined. Required fields come first, worded
 * like the server's own DataError messages (vectors/responses.json).
 */
export function recordProblem(record: JsonRecord, topic: string, requiredFields: readonly string[], rules: readonly CompiledRule[]): string | undefined {
  for (const field of requiredFields) {
    const value = record[field];
    if (value === undefined || value === null) return `field '${field}' is required`;
  }
  for (const rule of rules) {
    if ((rule.topic === undefined || rule.topic === topic) && rule.test(record)) return rule.reason;
  }
  return undefined;
}
