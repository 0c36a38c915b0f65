import { DEFAULT_ID_FIELDS } from 'byteair-emulator';
import { readIntakeStatus } from 'byteair-sync/internal/src/streaming/intake-status.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { eventually } from '../support/eventually.js';

/**
 * Stage order for streaming: 100 000 streaming records pushed before a topic's first daily Done
 * are all uploaded after it, none before, in chunks averaging at least 5 000 records.
 */
const TIMEOUT_MS = 240_000;

function streamRecords(topic: string, from: number, count: number): Array<Record<string, unknown>> {
  const idField = DEFAULT_ID_FIELDS[topic] ?? 'id';
  return Array.from({ length: count }, (_, k) => ({ [idField]: `${topic}-s-${from + k}`, event: 'click', at: from + k }));
}

interface BatcherLooks {
  /** Resolves once `batchers` connections have each begun `ticks` ticks on the topic's intake from now on. */
  looked(batchers: number, ticks: number): Promise<void>;
  /** Cuts of the topic's intake seen since the watch began. */
  cuts(): number;
  stop(): void;
}

/**
 * Watches (Redis MONITOR) the batchers' ticks on one topic: a tick begins with INTAKE_STATE on
 * the intake (with the batcher's cut lease, unlike readIntakeStatus) and, when a cut is due,
 * goes on to INTAKE_CUT before the next tick. So a batcher seen beginning two ticks after the
 * backlog was in has made one whole decision about it: the positive sign that it had its chance.
 */
async function watchBatcherTicks(system: TestSystem, topic: string): Promise<BatcherLooks> {
  const client = system.redis?.client();
  if (client === undefined) throw new Error('no Redis client');
  const monitor = await client.monitor();
  const { keys } = system.ops;
  const [intake, meta, cuts, inflight] = [keys.intake(topic), keys.intakeMeta(topic), keys.intakeCuts(topic), keys.intakeInflight(topic)];
  const ticksBy = new Map<string, number>();
  let cutCount = 0;
  let goal: { batchers: number; ticks: number; reached: () => void } | undefined;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [command, , keyCount, ...rest] = args;
    if (command !== 'evalsha' && command !== 'eval') return;
    if (keyCount === '4' && rest[0] === intake && rest[1] === meta && rest[2] === cuts && rest[3] === inflight && rest[4] !== String(Number.MAX_SAFE_INTEGER)) {
      ticksBy.set(source, (ticksBy.get(source) ?? 0) + 1);
      const wanted = goal;
      if (wanted !== undefined && [...ticksBy.values()].filter((n) => n >= wanted.ticks).length >= wanted.batchers) wanted.reached();
    } else if (keyCount === '3' && rest[0] === intake && rest[1] === meta && rest[2] === cuts) {
      cutCount += 1;
    }
  });
  return {
    looked: (batchers, ticks) =>
      new Promise<void>((resolve) => {
        ticksBy.clear();
        goal = { batchers, ticks, reached: resolve };
      }),
    cuts: () => cutCount,
    stop: () => monitor.disconnect(),
  };
}

describe('streaming behind the stage guard', () => {
  let system: TestSystem;

  afterEach(async () => {
    await system.stop();
  });

  test(
    '100 000 records pushed before the first daily Done flow only after it, in large chunks; pushes during the Done are safe',
    async () => {
      system = await startTestSystem();
      const workers = [system.startWorker(), system.startWorker()];
      await Promise.all(workers.map(async (w) => await w.ready));
      const { intake: push, producer } = system.ops;

      const looks = await watchBatcherTicks(system, 'item');
      try {
        for (let from = 0; from < 100_000; from += 5_000) await push.push('item', streamRecords('item', from, 5_000));
        // Held: each worker's batcher looks at the whole backlog and goes on to its next tick
        // without cutting (a tick that cuts runs INTAKE_CUT first); nothing may reach the API.
        await looks.looked(workers.length, 2);
      } finally {
        looks.stop();
      }
      expect(looks.cuts()).toBe(0);
      expect(await readIntakeStatus(system.ops.redis, system.ops.keys, 'item')).toMatchObject({ waiting: 100_000, chunksInFlight: 0 });
      let stats = await system.emulator.stats();
      expect(stats.dates.filter((d) => d.stage === 'incremental_sync_streaming')).toEqual([]);

      // Slow answers keep the Done in flight while more streaming records arrive.
      await system.emulator.setFaults({ latencyMs: 400 });
      const daily = await producer.batch('item', 'incremental_sync_daily', '2022-01-01');
      await daily.add(Array.from({ length: 2_000 }, (_, i) => ({ id: `item-d-${i}`, title: 'daily' })));
      await daily.seal();
      await eventually(async () => ((await system.emulator.stats()).totals.doneRequests > 0 ? true : undefined), 'the Done to arrive', 60_000, 20);
      await push.push('item', streamRecords('item', 100_000, 1_000));
      await system.emulator.setFaults({ latencyMs: 0 });

      stats = await eventually(
        async () => {
          const s = await system.emulator.stats();
          return (s.topics.item?.acceptedRecords ?? 0) >= 103_000 ? s : undefined;
        },
        'all streaming and daily records to be accepted',
        180_000,
        200,
      );
      expect(stats.totals.orderingViolations).toBe(0);
      expect(stats.orderingViolations).toEqual([]);
      const dailyDate = stats.dates.find((d) => d.topic === 'item' && d.stage === 'incremental_sync_daily');
      const streaming = stats.dates.find((d) => d.topic === 'item' && d.stage === 'incremental_sync_streaming');
      expect(dailyDate?.doneSeq).not.toBeNull();
      expect(streaming?.acceptedRecords).toBe(101_000);
      // None before the Done: the first streaming write comes after it.
      expect((streaming?.firstWriteSeq ?? 0) > (dailyDate?.doneSeq ?? Number.MAX_SAFE_INTEGER)).toBe(true);
      const chunks = streaming?.writeRequests ?? 0;
      expect(101_000 / chunks).toBeGreaterThanOrEqual(5_000);
      const ledger = await system.emulator.ledger('item');
      expect(ledger.size).toBe(103_000);
      expect([...ledger.values()].every((n) => n === 1)).toBe(true);
    },
    TIMEOUT_MS,
  );
});
