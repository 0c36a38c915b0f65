import got from 'got';
import { Queue } from 'bullmq';
import { DateTime } from 'luxon';
import { startTestRedis } from '../../../test/support/redis.js';

test('esm interop', async () => {
  expect(typeof got.extend).toBe('function');
  expect(DateTime.fromISO('2022-01-01').year).toBe(2022);
  const r = await startTestRedis();
  try {
    const q = new Queue('x', { connection: r.client(), prefix: `{${r.prefix}}` });
    await q.add('a', { a: 1 });
    expect(await q.count()).toBe(1);
    await q.obliterate({ force: true });
    await q.close();
  } finally {
    await r.stop();
  }
});
