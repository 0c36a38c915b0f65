import { SlotPreemption, slotsToFree } from '../../src/processor/slot-preemption.js';

test('slotsToFree: none while a slot is free, else one per waiting streaming chunk, as far as offline waiters go', () => {
  expect(slotsToFree({ streamingWaiting: 3, offlineWaiting: 5, inFlight: 7, concurrency: 8 })).toBe(0);
  expect(slotsToFree({ streamingWaiting: 0, offlineWaiting: 5, inFlight: 8, concurrency: 8 })).toBe(0);
  expect(slotsToFree({ streamingWaiting: 2, offlineWaiting: 5, inFlight: 8, concurrency: 8 })).toBe(2);
  expect(slotsToFree({ streamingWaiting: 9, offlineWaiting: 5, inFlight: 8, concurrency: 8 })).toBe(5);
  expect(slotsToFree({ streamingWaiting: 9, offlineWaiting: 0, inFlight: 8, concurrency: 8 })).toBe(0);
});

test('preempt asks the youngest waiters first; one that left cannot be preempted', () => {
  const preemption = new SlotPreemption();
  const oldest = preemption.enter();
  const middle = preemption.enter();
  const youngest = preemption.enter();
  const granted = preemption.enter();
  granted.leave();
  expect(preemption.waiting).toBe(3);
  expect(preemption.preempt(2)).toBe(2);
  expect([oldest.preempted(), middle.preempted(), youngest.preempted(), granted.preempted()]).toEqual([false, true, true, false]);
  expect(middle.signal.aborted).toBe(true);
  expect(preemption.waiting).toBe(1);
  expect(preemption.preempt(5)).toBe(1);
  expect(oldest.preempted()).toBe(true);
  expect(preemption.preempt(1)).toBe(0);
  // Leaving after being preempted is harmless.
  middle.leave();
  expect(preemption.waiting).toBe(0);
});
