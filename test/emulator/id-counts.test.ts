import fc from 'fast-check';
import { IdCounts } from '../../src/emulator/id-counts.js';

test('counts like a Map, in insertion order, through growth of every table', () => {
  const counts = new IdCounts();
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

test('ids a Map tells apart stay apart: empty, long, astral and lone surrogates', () => {
  const counts = new IdCounts();
  const ids = ['', 'a', 'A', '\ud800', '\udc00', '\ufffd', '😀', 'é', 'e\u0301', 'x'.repeat(5_000)];
  for (const id of ids) counts.increment(id);
  expect([...counts.keys()]).toEqual(ids);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
});

test('clear empties it and it fills again', () => {
  const counts = new IdCounts();
  counts.increment('a');
  counts.increment('b');
  counts.clear();
  expect(counts.size).toBe(0);
  expect(counts.has('a')).toBe(false);
  counts.increment('b');
  expect([...counts]).toEqual([['b', 1]]);
});

test('property: any sequence of ids gives the counts, order and size a Map gives', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('dup', 'x', '')), { maxLength: 300 }), (ids) => {
      const counts = new IdCounts();
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
