import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { OfflineStage } from 'byteair-sync/internal/src/byteair/stage.js';
import { systemClock } from 'byteair-sync/internal/src/clock.js';
import type { Config } from 'byteair-sync/internal/src/config/config.js';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { spawnEmulator, type EmulatorControl } from '../emulator/emulator-control.js';
import { createLogger } from 'byteair-sync/internal/src/observability/logger.js';
import { openOperations, type OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';
import { startPrivateRedis, type PrivateRedis } from '../redis/private-redis.js';
import { startSyncWorker, type RunningSyncWorker } from 'byteair-sync/internal/workers/sync-worker.js';
import { Releasers } from 'byteair-sync/internal/src/wiring/releasers.js';
import { DEMO_TOPICS, demoRecords, type DemoTopic } from './demo-dataset.js';
import { datesOf, planDemoDates, type DemoPlan } from './demo-plan.js';
import { reconcile, renderReconciliation, type SentCount } from './reconciliation.js';

export interface DemoOptions {
  /** Records per date per topic are multiplied by this. */
  readonly scale: number;
  readonly streamingSeconds: number;
  /** Exit after the table instead of keeping the dashboard up until Ctrl-C. */
  readonly exitWhenDone: boolean;
  readonly dashboardPort: number;
  readonly out: NodeJS.WriteStream;
  /** Starts the dashboard; undefined when it cannot be offered. */
  readonly startDashboard?: (config: Config) => Promise<{ url: string; close(): Promise<void> }>;
}

/** Records per date per topic at scale 1. */
const PER_DATE: Readonly<Record<DemoTopic, number>> = { item: 400, user: 300, behavior: 1_200 };
/** One behavior in this many lacks user_id and is rejected by the demo API. */
const BAD_EVERY = 200;
const STREAM_RATE_PER_SECOND = 1_500;
const STAGES_IN_ORDER: readonly OfflineStage[] = ['pre_sync', 'history_sync', 'incremental_sync_daily'];

/**
 * `byteair-sync demo`: everything on one machine (private Redis, the emulator in its own
 * process, a worker and the dashboard) and a generated dataset through every stage in order.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const say = (text: string): void => {
    options.out.write(`${text}\n`);
  };
  // Shutdown errors are dropped: they would hide the result, or the error that ended the demo.
  const releasers = new Releasers(() => undefined);
  try {
    say('byteair-sync demo: starting a private Redis, the ByteAir emulator, a worker and the dashboard');
    const redis: PrivateRedis = await startPrivateRedis({ appendOnly: 'everysec' });
    releasers.add(async () => await redis.stop());
    const tenant = {
      tenantId: '2100021',
      applicationId: '12345678',
      ak: 'AKLTdemoAccessKey0000000000000000',
      sk: `demo-sk-${randomBytes(12).toString('hex')}`,
    };
    const emulator: EmulatorControl = await spawnEmulator({
      // The emulator runs as its own process through the product's CLI, which loads this package's command.
      cli: fileURLToPath(import.meta.resolve('byteair-sync/internal/src/cli/main.js')),
      args: [
        '--tenant-id',
        tenant.tenantId,
        '--application-id',
        tenant.applicationId,
        '--ak',
        tenant.ak,
        '--sk',
        tenant.sk,
        '--required',
        'behavior=user_id',
        '--log-level',
        'warn',
      ],
    });
    releasers.add(async () => await emulator.close());
    const password = randomBytes(9).toString('base64url');
    const config = loadConfig({
      REDIS_URL: redis.url,
      BYTEAIR_HOSTS: `127.0.0.1:${emulator.port}`,
      BYTEAIR_SCHEME: 'http',
      BYTEAIR_TENANT_ID: tenant.tenantId,
      BYTEAIR_APPLICATION_ID: tenant.applicationId,
      BYTEAIR_AK: tenant.ak,
      BYTEAIR_SK: tenant.sk,
      BYTEAIR_LOG_LEVEL: 'warn',
      BYTEAIR_DASHBOARD_PORT: String(options.dashboardPort),
      BYTEAIR_DASHBOARD_USER: 'demo',
      BYTEAIR_DASHBOARD_PASSWORD: password,
    });
    const worker: RunningSyncWorker = await startSyncWorker({
      config,
      roles: ['upload', 'done', 'batcher'],
      logger: createLogger('warn', 'byteair-demo-worker'),
    });
    releasers.add(async () => await worker.close());
    const ops: OperationsHandle = openOperations(config);
    releasers.add(async () => await ops.close());
    const dashboard = options.startDashboard === undefined ? undefined : await options.startDashboard(config);
    if (dashboard !== undefined) releasers.add(async () => await dashboard.close());
    say(`  Redis ${redis.url}, emulator ${emulator.url}${dashboard === undefined ? '' : `, dashboard ${dashboard.url} (user demo, password ${password})`}`);

    const plan = planDemoDates(systemClock.now(), config.dateZone, { preSyncDates: 2, historyDates: 30 });
    describePlan(plan, options.scale, options.streamingSeconds, say);
    const sent = await sendEverything(ops, plan, options, say);
    const stats = await emulator.stats();
    const result = reconcile(sent, stats);
    say('');
    say(renderReconciliation(result, config.limits));
    if (dashboard !== undefined) say(`\ndashboard: ${dashboard.url}  (user demo, password ${password})`);
    if (!options.exitWhenDone && dashboard !== undefined) {
      say('press Ctrl-C to stop');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return result.balanced ? 0 : 1;
  } finally {
    await releasers.release();
  }
}

function describePlan(plan: DemoPlan, scale: number, streamingSeconds: number, say: (t: string) => void): void {
  const perDate = DEMO_TOPICS.map((t) => `${t} ${Math.round(PER_DATE[t] * scale)}`).join(', ');
  say(`  dataset: records per date: ${perDate}`);
  say(
    `  pre_sync ${plan.preSync.join(', ')}; history_sync ${plan.history[0] ?? ''} .. ${plan.history.at(-1) ?? ''} (${plan.history.length} dates); daily ${plan.daily.join(', ')}; streaming for ${streamingSeconds} s`,
  );
  say('  order: the guard holds history until pre_sync is done, daily until history is done, and streaming until the daily Done');
}

async function sendEverything(ops: OperationsHandle, plan: DemoPlan, options: DemoOptions, say: (t: string) => void): Promise<SentCount[]> {
  const sent = new Map<string, { topic: string; stage: SentCount['stage']; records: number; dates: string[] }>();
  const count = (topic: string, stage: SentCount['stage'], records: number, date?: string): void => {
    const key = `${topic}/${stage}`;
    const entry = sent.get(key) ?? { topic, stage, records: 0, dates: [] };
    entry.records += records;
    if (date !== undefined && !entry.dates.includes(date)) entry.dates.push(date);
    sent.set(key, entry);
  };
  const started = Date.now();
  let streamed = 0;
  // Streaming starts at once and is held by the guard until each topic's first daily Done.
  const streaming = (async () => {
    const until = Date.now() + options.streamingSeconds * 1000;
    for (let tick = 0; Date.now() < until; tick += 1) {
      for (const topic of DEMO_TOPICS) {
        const n = Math.round(STREAM_RATE_PER_SECOND / DEMO_TOPICS.length / 10);
        await ops.intake.push(topic, [...demoRecords(topic, 'stream', n, BAD_EVERY, tick * n)]);
        count(topic, 'incremental_sync_streaming', n);
        streamed += n;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // Every offline batch is added and sealed up front; the stage guard orders the uploads.
  for (const stage of STAGES_IN_ORDER) {
    for (const date of datesOf(plan, stage)) {
      for (const topic of DEMO_TOPICS) {
        const records = Math.max(1, Math.round(PER_DATE[topic] * options.scale));
        const batch = await ops.producer.batch(topic, stage, date);
        await batch.add(demoRecords(topic, `${stage}-${date}`, records, BAD_EVERY));
        await batch.seal();
        count(topic, stage, records, date);
      }
    }
    say(`  queued ${stage}: ${datesOf(plan, stage).length} date(s) x ${DEMO_TOPICS.length} topics, sealed`);
  }
  const progress = setInterval(() => {
    void ops.operations.status().then((status) => {
      const parts = STAGES_IN_ORDER.map((stage) => {
        const done = status.topics.reduce((sum, t) => sum + t.stages[stage].doneAcked, 0);
        const all = status.topics.reduce((sum, t) => sum + t.stages[stage].batches, 0);
        return `${stage} ${done}/${all} done`;
      });
      const held = status.topics.reduce((sum, t) => sum + t.streaming.waiting, 0);
      const accepted = status.topics.reduce((sum, t) => sum + t.streaming.accepted, 0);
      say(`  [${Math.round((Date.now() - started) / 1000)} s] ${parts.join(' | ')} | streaming pushed ${streamed}, waiting ${held}, accepted ${accepted}`);
    });
  }, 2_000);
  try {
    await streaming;
    // Done when every batch is acknowledged and every streaming record has an answer.
    for (;;) {
      const status = await ops.operations.status();
      const offlineDone = status.batches.every((b) => b.state === 'done-acked');
      const streamingDone = status.topics.every((t) => t.streaming.waiting === 0 && t.streaming.chunksInFlight === 0);
      if (offlineDone && streamingDone) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    clearInterval(progress);
  }
  say(`  all stages done in ${Math.round((Date.now() - started) / 1000)} s`);
  const order = [...STAGES_IN_ORDER, 'incremental_sync_streaming'];
  return [...sent.values()].sort(
    (a, b) => order.indexOf(a.stage) - order.indexOf(b.stage) || DEMO_TOPICS.indexOf(a.topic as DemoTopic) - DEMO_TOPICS.indexOf(b.topic as DemoTopic),
  );
}
