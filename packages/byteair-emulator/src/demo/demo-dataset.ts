/**
 * Deterministic demo records shaped like the industry data spec (item, user, behavior).
 * One behavior in `badEvery` lacks user_id, which the demo emulator requires: those come
 * back in 1001 answers and show up as rejected records with the server's reason.
 */
export type DemoTopic = 'item' | 'user' | 'behavior';
export const DEMO_TOPICS: readonly DemoTopic[] = ['item', 'user', 'behavior'];

export function demoRecord(topic: DemoTopic, tag: string, n: number, badEvery: number): Record<string, unknown> {
  switch (topic) {
    case 'item':
      return { id: `item-${tag}-${n}`, title: `Item ${n}`, status: n % 2, brand: 'demo', pub_time: 1_600_000_000 + n, current_price: (n % 500) / 10 };
    case 'user':
      return { user_id: `user-${tag}-${n}`, gender: n % 2 === 0 ? 'female' : 'male', age: 18 + (n % 50), register_time: 1_600_000_000 + n };
    case 'behavior': {
      const record: Record<string, unknown> = {
        bhv_id: `bhv-${tag}-${n}`,
        item_id: `item-${tag}-${n % 97}`,
        event_type: n % 3 === 0 ? 'click' : 'impression',
        event_timestamp: 1_600_000_000 + n,
        scene: 'home',
      };
      if (badEvery <= 0 || n % badEvery !== badEvery - 1) record.user_id = `user-${tag}-${n % 89}`;
      return record;
    }
  }
}

export function* demoRecords(topic: DemoTopic, tag: string, count: number, badEvery: number, from = 0): Generator<Record<string, unknown>> {
  for (let n = from; n < from + count; n += 1) yield demoRecord(topic, tag, n, badEvery);
}
