/**
 * The only place that names Redis keys. Every key carries the same hash tag `{prefix}`, so
 * on Redis Cluster all of them (BullMQ's included) live in one slot and Lua scripts and
 * MULTI may touch any of them together (DESIGN.md invariant 10).
 */
export class Keyspace {
  readonly prefix: string;

  constructor(prefix: string) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new Error(`invalid key prefix: ${JSON.stringify(prefix)}`);
    this.prefix = prefix;
  }

  /** The hash tag itself, e.g. `{byteair}`; also BullMQ's `prefix` option. */
  get tag(): string {
    return `{${this.prefix}}`;
  }

  key(...parts: ReadonlyArray<string | number>): string {
    return [this.tag, ...parts].join(':');
  }

  // Global rate limiter (src/limiter).
  get limiterLog(): string {
    return this.key('limiter', 'log');
  }
  get limiterState(): string {
    return this.key('limiter', 'state');
  }
  /** The latest answer timings of one API host, pooled from every worker (src/limiter/path-samples.ts). */
  limiterPath(host: string): string {
    return this.key('limiter', 'path', host);
  }
  /** Short-lived claim: which worker process frees slots for waiting streaming chunks this round (src/processor/preemption-watch.ts). */
  get slotPreemption(): string {
    return this.key('preemption');
  }
  // Circuit breaker (src/limiter).
  get circuit(): string {
    return this.key('circuit');
  }
  // Chunk bodies (src/batches/blob-store.ts).
  blob(requestId: string): string {
    return this.key('blob', requestId);
  }
  // Offline batches (src/batches/batch-store.ts), one per (topic, stage, date).
  batch(batchId: string): string {
    return this.key('batch', batchId);
  }
  batchChunks(batchId: string): string {
    return this.key('batch', batchId, 'chunks');
  }
  batchSettled(batchId: string): string {
    return this.key('batch', batchId, 'settled');
  }
  batchFailed(batchId: string): string {
    return this.key('batch', batchId, 'failed');
  }
  /** Every batch id, scored by creation time. */
  get batchIndex(): string {
    return this.key('batches');
  }
  /** Batch ids of one (topic, stage) whose Done is not acknowledged yet (the stage guard reads it). */
  batchesNotDone(topic: string, stage: string): string {
    return this.key('batches', 'not-done', topic, stage);
  }
  /** Batches sealed and settled whose Done is due but not yet acknowledged. */
  get batchesDoneDue(): string {
    return this.key('batches', 'done-due');
  }
  /** Rejected records (1001 answers) of a batch, or of a topic's streaming data. */
  rejected(owner: string): string {
    return this.key('rejected', owner);
  }
  // Stage guard (src/guard): per-topic state, jobs parked by it, release events.
  guard(topic: string): string {
    return this.key('guard', topic);
  }
  guardHeld(topic: string, stage: string): string {
    return this.key('guard', topic, 'held', stage);
  }
  get guardEvents(): string {
    return this.key('guard', 'events');
  }
  // Streaming intake (src/streaming): a Redis stream per topic and the batcher's bookkeeping.
  intake(topic: string): string {
    return this.key('intake', topic);
  }
  intakeMeta(topic: string): string {
    return this.key('intake', topic, 'meta');
  }
  intakeCuts(topic: string): string {
    return this.key('intake', topic, 'cuts');
  }
  intakeInflight(topic: string): string {
    return this.key('intake', topic, 'inflight');
  }
  intakeSettled(topic: string): string {
    return this.key('intake', topic, 'settled');
  }
  /** Push ids seen lately (by time) and the last entry each appended: pushes happen once. */
  intakePushIds(topic: string): string {
    return this.key('intake', topic, 'push-ids');
  }
  intakePushLast(topic: string): string {
    return this.key('intake', topic, 'push-last');
  }
  // Counters the dashboard exports (src/observability).
  get metrics(): string {
    return this.key('metrics');
  }
}
