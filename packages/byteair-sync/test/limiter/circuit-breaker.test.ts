import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisCircuitBreaker, createCircuitBreaker } from '../../src/limiter/circuit-breaker.js';
import type { CircuitOptions } from '../../src/limiter/circuit-rules.js';
import type { CircuitAdmission } from '../../src/limiter/rate-limiter.js';
import { Keyspace } from '../../src/redis/keyspace.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { LIMITER_POLL_MS, redisNow } from './limiter-harness.js';
import { eventually } from '../../../../test/support/eventually.js';

let redis: TestRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startTestRedis('circ');
  client = redis.client();
});
afterAll(async () => {
  await redis.stop();
});

/** Breakers on one circuit, each on its own connection, as separate workers would be. */
function breakers(
  count: number,
  options: Partial<CircuitOptions>,
  keys = new Keyspace(`${redis.prefix}-${randomBytes(3).toString('hex')}`),
): RedisCircuitBreaker[] {
  return Array.from({ length: count }, () => new RedisCircuitBreaker({ redis: redis.client(), keys, options }));
}

async function untilRedisTime(at: number): Promise<void> {
  await eventually(async () => (await redisNow(client)) >= at, `Redis time ${at}`, 20_000, LIMITER_POLL_MS);
}

const closed: CircuitAdmission = { kind: 'closed' };

test('opens after `threshold` consecutive failures from different workers; a success resets the count', async () => {
  const [a, b, c] = breakers(3, { threshold: 3, cooldownMs: 500 }) as [RedisCircuitBreaker, RedisCircuitBreaker, RedisCircuitBreaker];
  expect(await a.admit()).toEqual({ kind: 'closed' });
  await a.recordFailure(closed);
  await b.recordFailure(closed);
  await c.recordSuccess(closed);
  expect((await a.snapshot()).consecutiveFailures).toBe(0);
  expect(await a.recordFailure(closed)).toEqual({ open: false, retryInMs: 0 });
  await b.recordFailure(closed);
  const third = await c.recordFailure(closed);
  expect(third.open).toBe(true);
  expect(third.retryInMs).toBeLessThanOrEqual(500);
  const snap = await a.snapshot();
  expect(snap).toMatchObject({ state: 'open', consecutiveFailures: 3, cooldownMs: 500 });
  expect(snap.reopensAt - snap.openedAt).toBe(500);
  const answer = await b.admit();
  expect(answer.kind).toBe('open');
});

test('no lost updates: 40 concurrent failures from 8 workers count 40', async () => {
  const workers = breakers(8, { threshold: 41 });
  await Promise.all(workers.flatMap((w) => Array.from({ length: 5 }, () => w.recordFailure(closed))));
  expect(await (workers[0] as RedisCircuitBreaker).snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 40 });
  await (workers[1] as RedisCircuitBreaker).recordFailure(closed);
  expect((await (workers[2] as RedisCircuitBreaker).snapshot()).state).toBe('open');
});

test('exactly one probe per cooldown under concurrent admit() from 8 workers; re-opens doubled and capped; closes on success', async () => {
  const workers = breakers(8, { threshold: 2, cooldownMs: 30, maxCooldownMs: 100 });
  const first = workers[0] as RedisCircuitBreaker;
  await first.recordFailure(closed);
  await first.recordFailure(closed);
  const cooldowns: number[] = [];
  for (let round = 0; round < 6; round += 1) {
    const snap = await first.snapshot();
    expect(snap.state).toBe('open');
    cooldowns.push(snap.cooldownMs);
    await untilRedisTime(snap.reopensAt);
    // 8 workers × 5 concurrent admits each, all racing for the slot.
    const answers = await Promise.all(workers.flatMap((w) => Array.from({ length: 5 }, () => w.admit())));
    const probes = answers.filter((a) => a.kind === 'probe');
    expect(probes).toHaveLength(1);
    expect((await first.snapshot()).state).toBe('half-open');
    const probe = probes[0] as CircuitAdmission;
    if (round < 5) {
      const failed = await (workers[round] as RedisCircuitBreaker).recordFailure(probe);
      expect(failed.open).toBe(true);
    } else {
      await (workers[round] as RedisCircuitBreaker).recordSuccess(probe);
    }
  }
  expect(cooldowns).toEqual([30, 60, 100, 100, 100, 100]);
  expect(await first.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0, cooldownMs: 30 });
  const after = await Promise.all(workers.map((w) => w.admit()));
  expect(after.every((a) => a.kind === 'closed')).toBe(true);
});

test('a probe that never reports loses its lease; the next caller probes and the old outcome is ignored', async () => {
  const keys = new Keyspace(`${redis.prefix}-lease`);
  const [a, b] = breakers(2, { threshold: 1, cooldownMs: 20, probeLeaseMs: 60 }, keys) as [RedisCircuitBreaker, RedisCircuitBreaker];
  await a.recordFailure(closed);
  await untilRedisTime((await a.snapshot()).reopensAt);
  const crashed = await a.admit();
  expect(crashed.kind).toBe('probe');
  const waiting = await b.admit();
  expect(waiting.kind).toBe('open');
  // The lease runs cooldown + probeLeaseMs from the grant; until then nobody else probes.
  const leaseEnd = Number(await client.hget(keys.circuit, 'probeLeaseUntil'));
  expect(leaseEnd - (await redisNow(client))).toBeLessThanOrEqual(80);
  await untilRedisTime(leaseEnd);
  const takeover = await b.admit();
  expect(takeover.kind).toBe('probe');
  expect(takeover).not.toEqual(crashed);
  await a.recordSuccess(crashed);
  expect((await a.snapshot()).state).toBe('half-open');
  await b.recordSuccess(takeover);
  expect((await a.snapshot()).state).toBe('closed');
});

test('createCircuitBreaker takes the config shape', async () => {
  const keys = new Keyspace(`${redis.prefix}-cfg`);
  const breaker = createCircuitBreaker(redis.client(), keys, { threshold: 2, cooldownMs: 250, maxCooldownMs: 1_000 });
  expect(breaker.options).toEqual({ threshold: 2, cooldownMs: 250, maxCooldownMs: 1_000, probeLeaseMs: 30_000, halfOpenPollMs: 100 });
  expect(await breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0, reopensAt: 0, cooldownMs: 250, openedAt: 0 });
});
