import { Histogram } from 'prom-client';
import { LATENCY_BUCKETS_MS } from '../src/observability/redis-sync-metrics.js';
import type { LatencyCounts } from './fleet-counters.js';

type Labels = 'kind' | 'le';
type HistogramObject = Awaited<ReturnType<Histogram<Labels>['get']>>;

/**
 * A Prometheus histogram whose buckets were counted elsewhere: every worker adds to the Redis
 * hash, and this exports those counts as one `_bucket`/`_sum`/`_count` family per scrape.
 * prom-client's Histogram only counts its own observe() calls, so this subclass replaces
 * what it reports; the registry, text format and label escaping stay prom-client's.
 */
export class CountedLatencyHistogram extends Histogram<Labels> {
  readonly #name: string;
  /** A plain histogram of the same name, only for the family's metadata (name, help, type). */
  readonly #template: Histogram;
  readonly #read: () => Promise<ReadonlyMap<string, LatencyCounts>>;

  constructor(config: { name: string; help: string; read: () => Promise<ReadonlyMap<string, LatencyCounts>> }) {
    super({ name: config.name, help: config.help, labelNames: ['kind'], buckets: LATENCY_BUCKETS_MS.map((ms) => ms / 1000), registers: [] });
    this.#name = config.name;
    this.#template = new Histogram({ name: config.name, help: config.help, registers: [] });
    this.#read = config.read;
  }

  override async get(): Promise<HistogramObject> {
    const values: HistogramObject['values'] = [];
    for (const [kind, counts] of [...(await this.#read())].sort(([a], [b]) => a.localeCompare(b))) {
      let cumulative = 0;
      for (const le of LATENCY_BUCKETS_MS) {
        cumulative += counts.buckets.get(le) ?? 0;
        values.push({ metricName: `${this.#name}_bucket`, labels: { kind, le: le / 1000 }, value: cumulative });
      }
      // Observations are counted into a bucket and into count by the same pipeline, so +Inf is count.
      values.push({
        metricName: `${this.#name}_bucket`,
        labels: { kind, le: '+Inf' },
        value: Math.max(counts.count, cumulative + (counts.buckets.get('inf') ?? 0)),
      });
      values.push({ metricName: `${this.#name}_sum`, labels: { kind }, value: counts.sumMs / 1000 });
      values.push({ metricName: `${this.#name}_count`, labels: { kind }, value: counts.count });
    }
    return { ...(await this.#template.get()), values };
  }

  /** The registry prefers this to get() when rendering text; both report the same. */
  async getForPromString(): Promise<HistogramObject> {
    return await this.get();
  }
}
