import { marginFor, normalQuantile, PathSpread } from '../../src/limiter/path-spread.js';

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

test('the margin is half the p99 - p1 spread carried out to the p99.9, widest over the hosts, within floor and cap', () => {
  const spread = new PathSpread(POLICY);
  // Host a: 20..80 ms evenly (spread ~60); host b: a steady 5 ms.
  for (let i = 0; i <= 100; i += 1) spread.observe('a', 20 + (60 * i) / 100);
  for (let i = 0; i < 50; i += 1) spread.observe('b', 5);
  const spreads = spread.spreads();
  expect(spreads.get('b')).toBe(0);
  expect(spreads.get('a')).toBeGreaterThan(57);
  expect(spreads.get('a')).toBeLessThan(60);
  // Host a's spread: 79.4 - 21.2 = 58.2 ms. Of 100 samples the p99 point is the 99th, which estimates the
  // 99 / 101 quantile (z = 2.054), so 29.1 x 3.090 / 2.054 = 43.8.
  expect(spread.marginMs()).toBe(44);
  for (let i = 0; i < 100; i += 1) spread.observe('b', i % 2 === 0 ? 40 : 240);
  expect(spread.marginMs()).toBe(151);
  for (let i = 0; i < 100; i += 1) spread.observe('b', i % 2 === 0 ? 0 : 900);
  expect(spread.marginMs()).toBe(250);
});

test('only the latest answers count: a path that calms down brings the margin back down', () => {
  const spread = new PathSpread(POLICY);
  for (let i = 0; i < 100; i += 1) spread.observe('a', i % 2 === 0 ? 0 : 300);
  expect(spread.marginMs()).toBe(226);
  for (let i = 0; i < 100; i += 1) spread.observe('a', 12);
  expect(spread.marginMs()).toBe(30);
});

test("replace: the host's samples become the pooled ones (the latest kept), continue times where they came, and observing goes on from there", () => {
  const spread = new PathSpread(POLICY);
  for (let i = 0; i < 100; i += 1) spread.observe('a', 500, i % 2 === 0 ? 0 : 300);
  expect(spread.marginMs()).toBe(226);
  // 150 pooled samples, of which the latest 100 are kept: answers 50..149 ms, 20 of them with a 12 ms continue.
  spread.replace(
    'a',
    Array.from({ length: 150 }, (_, i) => (i >= 130 ? { answerMs: i, continueMs: 12 } : { answerMs: i })),
  );
  expect(spread.reading()).toEqual({ measured: true, marginMs: 30, spreadMs: 0 });
  // 19 continue times are too few: the answers' spread rules (50..149 ms: p99 148, p1 51).
  spread.replace(
    'a',
    Array.from({ length: 100 }, (_, i) => (i < 19 ? { answerMs: 50 + i, continueMs: 12 } : { answerMs: 50 + i })),
  );
  expect(spread.spreads().get('a')).toBe(97);
  spread.observe('a', 60, 12);
  expect(spread.spreads().get('a')).toBe(0);
  spread.replace('b', []);
  expect(spread.spreads().has('b')).toBe(false);
});

test('p1 and p99 ignore a rare outlier; nonsense samples are ignored', () => {
  const spread = new PathSpread(POLICY);
  for (let i = 0; i < 100; i += 1) spread.observe('a', i === 50 ? 5_000 : 20);
  spread.observe('a', Number.NaN);
  spread.observe('a', -1);
  expect(spread.spreads().get('a')).toBe(0);
});

test('marginFor: floor equal to cap fixes the margin; a cap below the floor is refused', () => {
  expect(marginFor(1_000, { floorMs: 80, capMs: 80 })).toBe(80);
  expect(marginFor(0, { floorMs: 80, capMs: 80 })).toBe(80);
  // 256 samples (the default): the p99 point estimates the 253 / 257 quantile, z = 2.155.
  expect(marginFor(61, { floorMs: 0, capMs: 100 })).toBe(44);
  expect(() => new PathSpread({ ...POLICY, floorMs: 50, capMs: 40 })).toThrow(/cap 40 ms must be at least the floor 50 ms/);
  expect(() => new PathSpread({ ...POLICY, minSamples: 1 })).toThrow(/minimum 1 must be whole, the minimum at least 2/);
  expect(() => new PathSpread({ ...POLICY, samples: 10 })).toThrow(/spread samples 10 and minimum 20/);
});

test("once a host has sent enough 100 Continues, their spread is the path's, not the answers' (which hold the server's work)", () => {
  const spread = new PathSpread(POLICY);
  // Answers 40..290 ms (a server parsing large bodies); the interim answers a steady 10..20 ms.
  for (let i = 0; i < 19; i += 1) spread.observe('a', 40 + (i % 6) * 50, 10 + (i % 11));
  expect(spread.spreads()).toEqual(new Map());
  spread.observe('a', 290, 20);
  expect(spread.spreads().get('a')).toBe(10);
  expect(spread.marginMs()).toBe(30);
  // A host that never sends one keeps the answer times' spread.
  for (let i = 0; i < 40; i += 1) spread.observe('b', 40 + (i % 6) * 50);
  expect(spread.spreads().get('b')).toBe(250);
  // 40 samples: the p99 point is the 40th, the 40 / 41 quantile (z = 1.97): 125 x 3.090 / 1.97.
  expect(spread.marginMs()).toBe(197);
  // A nonsense interim time is ignored; the answer beside it still counts.
  spread.observe('c', 12, Number.NaN);
  expect(spread.spreads().get('c')).toBeUndefined();
});

test('normalQuantile: within 1e-3 of the normal table where the margin uses it', () => {
  expect(normalQuantile(0.999)).toBeCloseTo(3.0902, 3);
  expect(normalQuantile(0.99)).toBeCloseTo(2.3263, 3);
  expect(normalQuantile(0.9)).toBeCloseTo(1.2816, 3);
});

/** A fixed linear congruential sequence in [0, 1), so a case is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

test('a few samples widen the margin: the range of 8 round trips falls short of the path, so it is carried further out', () => {
  // 40 + U(0, 60) ms each way: two arrivals differ by up to 60 ms. 200 fresh processes, 8 samples each.
  const uniform = lcg(99);
  const margins: number[] = [];
  const faceValue: number[] = [];
  for (let trial = 0; trial < 200; trial += 1) {
    const spread = new PathSpread({ floorMs: 0, capMs: 250, samples: 256, minSamples: 8 });
    for (let i = 0; i < 8; i += 1) spread.observe('a', 300, 80 + 60 * uniform() + 60 * uniform());
    margins.push(spread.marginMs());
    faceValue.push((spread.spreads().get('a') ?? Number.NaN) / 2);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] as number;
  expect(median(faceValue)).toBeLessThan(45);
  expect(median(margins)).toBeGreaterThanOrEqual(75);
  expect(margins.filter((m) => m < 60).length).toBeLessThan(30);
  // The same spread from 8 samples weighs more than from 256.
  expect(marginFor(40, { floorMs: 0, capMs: 250 }, 8)).toBeGreaterThan(1.7 * marginFor(40, { floorMs: 0, capMs: 250 }, 256));
});

test('uniform jitter each way (40 + U(0, 60) ms): the margin covers the whole 60 ms by which two arrivals can differ; half the spread would not', () => {
  const spread = new PathSpread({ floorMs: 30, capMs: 250, samples: 256, minSamples: 8 });
  const uniform = lcg(12_345);
  for (let i = 0; i < 256; i += 1) spread.observe('a', 300, 80 + 60 * uniform() + 60 * uniform());
  const measured = spread.spreads().get('a') ?? Number.NaN;
  expect(measured / 2).toBeLessThan(60);
  expect(spread.marginMs()).toBeGreaterThanOrEqual(60);
  expect(spread.marginMs()).toBeLessThan(80);
});
