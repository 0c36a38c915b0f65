import { InvalidInputError } from '../errors/invalid-input-error.js';

/**
 * A record must be a plain JSON object whose values JSON can carry: strings, finite numbers,
 * booleans, null, arrays and plain objects. Refused here, at the edge, with the path of the
 * offending value: BigInt, functions, symbols, NaN, Infinity, cycles, class instances
 * (Date, Map, Buffer...), undefined inside arrays (JSON would turn it into null), and
 * 64-bit integers beyond Number.MAX_SAFE_INTEGER (their last digits are already gone).
 * Properties whose value is undefined are left out, exactly as JSON.stringify does. Also
 * refused: nesting deeper than MAX_RECORD_DEPTH, which would overflow the stack of a
 * recursive walker (ours, JSON.stringify) somewhere down the line.
 */
export function assertJsonRecord(record: unknown, field: string): asserts record is Record<string, unknown> {
  if (!isPlainObject(record)) throw new InvalidInputError(field, record, 'must be a JSON object (a plain object, not an array, class instance or primitive)');
  walk(record, field, new Set(), 1, field);
}

/**
 * Levels of arrays and objects one record may nest, the record itself being level 1. JSON
 * parses iteratively, but this walk and JSON.stringify recurse: about 5 000 levels overflow
 * the stack (a 500, or a crash, instead of a refusal), and common JSON readers on the API
 * side give up sooner (Jackson's default limit is 1 000 levels for a whole request body). No
 * real record nests this deep, so the cap costs nothing and leaves a wide margin.
 */
export const MAX_RECORD_DEPTH = 512;

const TWO_TO_THE_64 = 2 ** 64;

/** Validates and serializes one record; the text is what the chunk body will contain. */
export function serializeRecord(record: unknown, field: string): string {
  assertJsonRecord(record, field);
  return JSON.stringify(record);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `top` is the path of the record's own property holding `value`: a too-deep error names it, not a path of 512 `[0]`s. */
function walk(value: unknown, path: string, ancestors: Set<object>, depth: number, top: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidInputError(path, value, 'is not a finite number; JSON cannot carry NaN or Infinity');
      // A 64-bit integer (an id, a nanosecond time) has lost its last digits by the time it is a
      // number here, and uploading it would silently send a different value. Larger magnitudes
      // (1e300) cannot be 64-bit integers: they are floats and pass.
      if (Number.isInteger(value) && !Number.isSafeInteger(value) && Math.abs(value) <= TWO_TO_THE_64) {
        throw new InvalidInputError(
          path,
          value,
          `is an integer beyond ±${Number.MAX_SAFE_INTEGER} (2^53 - 1), where numbers lose digits: a 64-bit id or time must be sent as a string`,
        );
      }
      return;
    case 'bigint':
      throw new InvalidInputError(path, value, 'is a BigInt, which JSON cannot carry; convert it to a string or number');
    case 'function':
    case 'symbol':
      throw new InvalidInputError(path, value, `is a ${typeof value}, which JSON cannot carry`);
    case 'undefined':
      throw new InvalidInputError(path, value, 'is undefined, which JSON cannot carry here');
    case 'object': {
      if (value === null) return;
      if (depth > MAX_RECORD_DEPTH)
        throw new InvalidInputError(
          top,
          `more than ${MAX_RECORD_DEPTH} levels`,
          `nests arrays and objects deeper than a record may (${MAX_RECORD_DEPTH} levels)`,
        );
      if (ancestors.has(value)) throw new InvalidInputError(path, '[circular]', 'refers back to itself (a cycle); JSON cannot carry cycles');
      ancestors.add(value);
      if (Array.isArray(value)) {
        value.forEach((item, index) => walk(item, `${path}[${index}]`, ancestors, depth + 1, depth === 1 ? `${path}[${index}]` : top));
      } else if (isPlainObject(value)) {
        for (const [key, item] of Object.entries(value)) {
          if (item !== undefined) walk(item, `${path}.${key}`, ancestors, depth + 1, depth === 1 ? `${path}.${key}` : top);
        }
      } else {
        const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
        throw new InvalidInputError(path, `[${name}]`, `is a ${name} instance; only plain objects, arrays and primitives are JSON records`);
      }
      ancestors.delete(value);
      return;
    }
  }
}
