import { RingBuffer } from '../../dashboards/ring-buffer.js';

test('keeps everything, oldest first, until it is full', () => {
  const ring = new RingBuffer<number>(3);
  expect(ring.toArray()).toEqual([]);
  ring.push(1);
  ring.push(2);
  expect(ring.toArray()).toEqual([1, 2]);
  expect(ring.size).toBe(2);
});

test('once full, each push drops the oldest and the order stays oldest first, round after round', () => {
  const ring = new RingBuffer<number>(3);
  for (let i = 1; i <= 3; i += 1) ring.push(i);
  expect(ring.toArray()).toEqual([1, 2, 3]);
  ring.push(4);
  expect(ring.toArray()).toEqual([2, 3, 4]);
  for (let i = 5; i <= 10; i += 1) ring.push(i);
  expect(ring.toArray()).toEqual([8, 9, 10]);
  expect(ring.size).toBe(3);
});

test('toArray is a copy: changing it does not change the buffer', () => {
  const ring = new RingBuffer<number>(2);
  ring.push(1);
  ring.toArray().push(99);
  expect(ring.toArray()).toEqual([1]);
});

test('a capacity that is not a positive integer is refused, naming what it got', () => {
  for (const capacity of [0, -1, 1.5, Number.NaN])
    expect(() => new RingBuffer(capacity)).toThrow(new RangeError(`capacity must be a positive integer (got ${capacity})`));
});
