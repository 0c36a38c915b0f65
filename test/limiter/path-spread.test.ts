import { marginFor, PathSpread } from '../../src/limiter/path-spread.js';

const POLICY = { floorMs: 30, capMs: 250, samples: 100, minSamples: 20 };

test('the cap until a host has enough answers: an unmeasured path is not taken to be calm', () => {
  const spread = new PathSpread(POLICY);
  expect(spread.marginMs()).toBe(250);
  for (let i = 0; i < 19; i += 1) spread.observe('a', 12);
  expect(spread.spreads()).toEqual(new Map());
  expect(spread.marginMs()).toBe(250);
  spread.observe('a', 12);
  expect(spread.marginMs()).toBe(30);
});

test('the margin is half the widest 2 × (p50 - p1) over the hosts, within floor and cap', () => {
  const spread = new PathSpread(POLICY);
  // Host a: 20..80 ms evenly (spread ~60); host b: a steady 5 ms.
  for (let i = 0; i <= 100; i += 1) spread.observe('a', 20 + (60 * i) / 100);
  for (let i = 0; i < 50; i += 1) spread.observe('b', 5);
  const spreads = spread.spreads();
  expect(spreads.get('b')).toBe(0);
  expect(spreads.get('a')).toBeGreaterThan(57);
  expect(spreads.get('a')).toBeLessThan(60);
  expect(spread.marginMs()).toBe(30);
  // b: 40..240 evenly: p50 - p1 = 98.
  for (let i = 0; i < 100; i += 1) spread.observe('b', 40 + 2 * i);
  expect(spread.marginMs()).toBe(98);
  for (let i = 0; i < 100; i += 1) spread.observe('b', i % 2 === 0 ? 0 : 900);
  expect(spread.marginMs()).toBe(250);
});

test('the slow tail of a busy server does not widen the margin; a jittery path does', () => {
  const server = new PathSpread(POLICY);
  // 20-30 ms on the path, and a quarter of the answers 200-800 ms late from the server's queue.
  for (let i = 0; i < 200; i += 1) server.observe('a', 20 + (i % 11) + (i % 4 === 0 ? 200 + (i % 7) * 100 : 0));
  expect(server.marginMs()).toBe(30);
  const path = new PathSpread(POLICY);
  // 80 + two uniform(0, 60) ms ways: a triangle over 80..200 ms, p50 - p1 about 51.
  for (let i = 0; i < 256; i += 1) path.observe('a', 80 + ((i * 37) % 61) + ((i * 53) % 61));
  expect(path.marginMs()).toBeGreaterThanOrEqual(45);
  expect(path.marginMs()).toBeLessThanOrEqual(60);
});

test('only the latest answers count: a path that calms down brings the margin back down', () => {
  const spread = new PathSpread(POLICY);
  for (let i = 0; i < 100; i += 1) spread.observe('a', (i % 3) * 100);
  expect(spread.marginMs()).toBe(100);
  for (let i = 0; i < 100; i += 1) spread.observe('a', 12);
  expect(spread.marginMs()).toBe(30);
});

test('p1 and p50 ignore a rare outlier; nonsense samples are ignored', () => {
  const spread = new PathSpread(POLICY);
  for (let i = 0; i < 100; i += 1) spread.observe('a', i === 50 ? 5_000 : 20);
  spread.observe('a', Number.NaN);
  spread.observe('a', -1);
  expect(spread.spreads().get('a')).toBe(0);
});

test('marginFor: floor equal to cap fixes the margin; a cap below the floor is refused', () => {
  expect(marginFor(1_000, { floorMs: 80, capMs: 80 })).toBe(80);
  expect(marginFor(0, { floorMs: 80, capMs: 80 })).toBe(80);
  expect(marginFor(61, { floorMs: 0, capMs: 100 })).toBe(31);
  expect(() => new PathSpread({ ...POLICY, floorMs: 50, capMs: 40 })).toThrow(/cap 40 ms must be at least the floor 50 ms/);
});
