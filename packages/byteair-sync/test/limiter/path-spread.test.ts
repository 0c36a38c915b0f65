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

test('the margin is half the widest p99 - p1 over the hosts carried out to the p99.9 (x 3.09 / 2.326), within floor and cap', () => {
  const spread = new PathSpread(POLICY);
  // Host a: 20..80 ms evenly (spread ~60); host b: a steady 5 ms.
  for (let i = 0; i <= 100; i += 1) spread.observe('a', 20 + (60 * i) / 100);
  for (let i = 0; i < 50; i += 1) spread.observe('b', 5);
  const spreads = spread.spreads();
  expect(spreads.get('b')).toBe(0);
  expect(spreads.get('a')).toBeGreaterThan(57);
  expect(spreads.get('a')).toBeLessThan(60);
  // Host a's spread: 79.4 - 21.2 = 58.2 ms; 29.1 x 1.3285 = 38.7.
  expect(spread.marginMs()).toBe(39);
  for (let i = 0; i < 100; i += 1) spread.observe('b', i % 2 === 0 ? 40 : 240);
  expect(spread.marginMs()).toBe(133);
  for (let i = 0; i < 100; i += 1) spread.observe('b', i % 2 === 0 ? 0 : 900);
  expect(spread.marginMs()).toBe(250);
});

test('only the latest answers count: a path that calms down brings the margin back down', () => {
  const spread = new PathSpread(POLICY);
  for (let i = 0; i < 100; i += 1) spread.observe('a', i % 2 === 0 ? 0 : 300);
  expect(spread.marginMs()).toBe(200);
  for (let i = 0; i < 100; i += 1) spread.observe('a', 12);
  expect(spread.marginMs()).toBe(30);
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
  expect(marginFor(61, { floorMs: 0, capMs: 100 })).toBe(41);
  expect(() => new PathSpread({ ...POLICY, floorMs: 50, capMs: 40 })).toThrow(/cap 40 ms must be at least the floor 50 ms/);
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
  expect(spread.marginMs()).toBe(167);
  // A nonsense interim time is ignored; the answer beside it still counts.
  spread.observe('c', 12, Number.NaN);
  expect(spread.spreads().get('c')).toBeUndefined();
});

test('uniform jitter each way (40 + U(0, 60) ms): the margin covers the whole 60 ms by which two arrivals can differ; half the spread would not', () => {
  const spread = new PathSpread({ floorMs: 30, capMs: 250, samples: 256, minSamples: 8 });
  // A fixed linear congruential sequence, so the case is the same on every run.
  let state = 12_345;
  const uniform = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = 0; i < 256; i += 1) spread.observe('a', 300, 80 + 60 * uniform() + 60 * uniform());
  const measured = spread.spreads().get('a') ?? Number.NaN;
  expect(measured / 2).toBeLessThan(60);
  expect(spread.marginMs()).toBeGreaterThanOrEqual(60);
  expect(spread.marginMs()).toBeLessThan(80);
});
