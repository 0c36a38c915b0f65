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
  // Circuit breaker (src/limiter).
  get circuit(): string {
    return this.key('circuit');
  }
  // Emulator-independent counters the dashboard exports (src/observability).
  get metrics(): string {
    return this.key('metrics');
  }
}
