import { Releasers, withReleasers } from '../../src/wiring/releasers.js';

describe('Releasers', () => {
  it('releases last acquired first, each once, however often release() is called', async () => {
    const order: string[] = [];
    const releasers = new Releasers();
    releasers.add(() => {
      order.push('redis');
    });
    releasers.add(async () => {
      await Promise.resolve();
      order.push('queues');
    });
    releasers.add(() => {
      order.push('workers');
    });
    await Promise.all([releasers.release(), releasers.release()]);
    await releasers.release();
    expect(order).toEqual(['workers', 'queues', 'redis']);
  });

  it('runs the rest after a failing releaser and then throws the first error', async () => {
    const order: string[] = [];
    const releasers = new Releasers();
    releasers.add(() => {
      order.push('redis');
    });
    releasers.add(() => {
      throw new Error('queue close failed');
    });
    releasers.add(() => {
      throw new Error('server close failed');
    });
    await expect(releasers.release()).rejects.toThrow('server close failed');
    expect(order).toEqual(['redis']);
  });

  it('hands every error to onError, when given, and resolves', async () => {
    const errors: unknown[] = [];
    const releasers = new Releasers((error) => errors.push(error));
    releasers.add(() => {
      throw new Error('first');
    });
    releasers.add(() => {
      throw new Error('second');
    });
    await releasers.release();
    expect(errors.map((e) => (e as Error).message)).toEqual(['second', 'first']);
  });
});

describe('withReleasers', () => {
  it('releases what was acquired when acquiring fails, and rethrows that failure', async () => {
    const order: string[] = [];
    const failing = withReleasers(async (releasers) => {
      releasers.add(() => {
        order.push('redis');
      });
      releasers.add(() => {
        throw new Error('release failed too');
      });
      await Promise.resolve();
      throw new Error('listen failed');
    });
    await expect(failing).rejects.toThrow('listen failed');
    expect(order).toEqual(['redis']);
  });

  it('leaves releasing to the caller when acquiring succeeds', async () => {
    const order: string[] = [];
    const releasers = await withReleasers(async (r) => {
      r.add(() => {
        order.push('redis');
      });
      await Promise.resolve();
      return r;
    });
    expect(order).toEqual([]);
    await releasers.release();
    expect(order).toEqual(['redis']);
  });
});
