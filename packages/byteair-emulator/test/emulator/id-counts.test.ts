import fc from 'fast-check';
import { IdCounts } from '../../src/emulator/id-counts.js';

// Small pieces so that a few thousand ids fill many pages, segments and shard tables.
const SMALL = { pageIds: 64, segmentBytes: 100, shards: 4 };

test.each([
  ['the default layout', {}],
  ['small pages, segments and shards', SMALL],
  ['one shard', { ...SMALL, shards: 1 }],
])('counts like a Map, in insertion order, through growth of every piece (%s)', (_name, layout) => {
  const counts = new IdCounts(layout);
  const map = new Map<string, number>();
  for (let i = 0; i < 5_000; i += 1) {
    const id = `item-${i % 3_700}`;
    const next = (map.get(id) ?? 0) + 1;
    map.set(id, next);
    expect(counts.increment(id)).toBe(next);
  }
  expect(counts.size).toBe(map.size);
  expect([...counts]).toEqual([...map]);
  expect([...counts.keys()]).toEqual([...map.keys()]);
  expect([...counts.values()]).toEqual([...map.values()]);
  expect(counts.get('item-1')).toBe(2);
  expect(counts.get('item-3699')).toBe(1);
  expect(counts.has('item-3700')).toBe(false);
  expect(counts.get('item-3700')).toBeUndefined();
  const seen: Array<[string, number]> = [];
  counts.forEach((value, key) => seen.push([key, value]));
  expect(seen).toEqual([...map]);
  expect(new Map(counts)).toEqual(map);
});

test('ids a Map tells apart stay apart: empty, long (over a segment), astral and lone surrogates', () => {
  const counts = new IdCounts(SMALL);
  const ids = ['', 'a', 'A', '\ud800', '\udc00', '\ufffd', '😀', 'é', 'e\u0301', 'x'.repeat(5_000)];
  for (const id of ids) counts.increment(id);
  expect([...counts.keys()]).toEqual(ids);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  for (const id of ids) expect(counts.increment(id)).toBe(2);
});

test('a layout that cannot work is refused, naming the field and the value', () => {
  expect(() => new IdCounts({ pageIds: 100 })).toThrow('pageIds must be a power of two, got 100');
  expect(() => new IdCounts({ shards: 1 << 17 })).toThrow('shards must be a power of two up to 65536, got 131072');
  expect(() => new IdCounts({ segmentBytes: 1 })).toThrow('segmentBytes must be an integer of at least 2, got 1');
});

test('clear empties it and it fills again', () => {
  const counts = new IdCounts(SMALL);
  for (let i = 0; i < 500; i += 1) counts.increment(`id-${i}`);
  counts.clear();
  expect(counts.size).toBe(0);
  expect(counts.has('id-1')).toBe(false);
  counts.increment('id-2');
  expect([...counts]).toEqual([['id-2', 1]]);
});

test('property: any sequence of ids gives the counts, order and size a Map gives', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('dup', 'x', '')), { maxLength: 300 }), (ids) => {
      const counts = new IdCounts(SMALL);
      const map = new Map<string, number>();
      for (const id of ids) {
        map.set(id, (map.get(id) ?? 0) + 1);
        expect(counts.increment(id)).toBe(map.get(id));
      }
      expect([...counts]).toEqual([...map]);
      for (const id of ids) expect(counts.get(id)).toBe(map.get(id));
    }),
    { numRuns: 300 },
  );
});
