import { assertJsonRecord, serializeRecord } from '../../src/validation/json-record.js';

describe('assertJsonRecord refuses what JSON cannot carry, naming the path', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  class Thing {
    x = 1;
  }
  const cases: Array<[string, unknown, string]> = [
    ['a string', 'hello', 'r'],
    ['an array', [1, 2], 'r'],
    ['null', null, 'r'],
    ['a number', 5, 'r'],
    ['a class instance', new Thing(), 'r'],
    ['a Date', new Date(0), 'r'],
    ['a BigInt value', { n: 10n }, 'r.n'],
    ['a function value', { f: () => 1 }, 'r.f'],
    ['a symbol value', { s: Symbol('x') }, 'r.s'],
    ['NaN', { n: Number.NaN }, 'r.n'],
    ['Infinity', { n: Number.POSITIVE_INFINITY }, 'r.n'],
    ['a cycle', cyclic, 'r.self'],
    ['a nested Map', { m: new Map() }, 'r.m'],
    ['a Buffer', { b: Buffer.from('x') }, 'r.b'],
    ['undefined in an array', { list: [1, undefined] }, 'r.list[1]'],
    ['deep NaN', { a: { b: [{ c: Number.NaN }] } }, 'r.a.b[0].c'],
    ['a 64-bit id that lost digits', JSON.parse('{"id":1732780800123456789}') as unknown, 'r.id'],
    ['2^53 + 1 as parsed', { ids: [JSON.parse('9007199254740993') as number] }, 'r.ids[0]'],
    ['-(2^64 - 1) as parsed', { n: -(2 ** 64) }, 'r.n'],
  ];
  test.each(cases)('%s', (_label, value, field) => {
    expect(() => assertJsonRecord(value, 'r')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field }) as Error);
  });

  test('plain objects with nested arrays, null and unicode pass; undefined properties are dropped like JSON', () => {
    const record = { id: 'a', n: 1.5, ok: true, none: null, tags: ['x', { y: 2 }], text: '火山\u2028', skip: undefined };
    expect(serializeRecord(record, 'r')).toBe(JSON.stringify(record));
    expect(JSON.parse(serializeRecord(record, 'r'))).not.toHaveProperty('skip');
    expect(() => assertJsonRecord(Object.create(null) as unknown, 'r')).not.toThrow();
  });

  test('safe integers, fractions and doubles too large to be 64-bit integers pass', () => {
    for (const n of [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0.1, 1e-300, 2 ** 64 * 2, 1e300, -1.7976931348623157e308]) {
      expect(() => assertJsonRecord({ n }, 'r')).not.toThrow();
    }
  });

  test('a shared (non-cyclic) reference is fine', () => {
    const shared = { v: 1 };
    expect(() => assertJsonRecord({ a: shared, b: shared }, 'r')).not.toThrow();
  });
});
