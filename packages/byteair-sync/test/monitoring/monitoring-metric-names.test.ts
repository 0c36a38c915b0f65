import { readFileSync } from 'node:fs';
import { CLOSED_LABELS, exportedMetricNames, PROMETHEUS_METRICS, sampledLabels } from './support/exported-metrics.js';
import { unknownLabels, unknownMetrics, type MetricLabels } from './support/metric-check.js';
import { dashboardQueries, MONITORING_FILES, parseAlertRules, readAlertRules, readDashboard, repoPath } from './support/monitoring-files.js';

/**
 * Every metric the alerts and the Grafana panels query must be one dashboards/metrics-registry.ts
 * exports (or Prometheus's own `up`): a renamed or misspelt metric
 * would otherwise leave an alert that can never fire and a panel that says "No data".
 */
let exported: ReadonlySet<string>;
let allowed: ReadonlySet<string>;
let sampled: Awaited<ReturnType<typeof sampledLabels>>;
/** Labels per allowed metric: the registry's from the fixture's samples, the others as declared. */
let catalog: Map<string, MetricLabels>;

beforeAll(async () => {
  exported = await exportedMetricNames();
  allowed = new Set([...exported, ...Object.keys(PROMETHEUS_METRICS)]);
  sampled = await sampledLabels();
  catalog = new Map<string, MetricLabels>();
  for (const [name, labels] of sampled) {
    const closedValues = new Map([...labels].filter(([label]) => CLOSED_LABELS.includes(label)));
    catalog.set(name, { labels: new Set(labels.keys()), closedValues });
  }
  for (const [name, labels] of Object.entries(PROMETHEUS_METRICS)) catalog.set(name, { labels: new Set(labels), closedValues: new Map() });
});

const alertQueries = (): Array<{ where: string; expr: string }> => readAlertRules().map((r) => ({ where: r.alert, expr: r.expr }));
const panelQueries = (): Array<{ where: string; expr: string }> => dashboardQueries(readDashboard()).map((q) => ({ where: q.panel, expr: q.expr }));

test('the names come from the registry: its families, and histograms as the series they expose', () => {
  expect(exported).toContain('byteair_api_requests_total');
  expect(exported).toContain('byteair_circuit_state');
  expect(exported).toContain('byteair_api_request_duration_seconds_bucket');
  expect(exported).not.toContain('byteair_api_request_duration_seconds');
  // The fixture gives every family a value, so the names listed are the names sampled (and
  // every family's labels are known to the label checks below).
  expect([...sampled.keys()].sort()).toEqual([...exported].sort());
});

test('every metric an alert expression uses is exported', () => {
  expect(unknownMetrics(alertQueries(), allowed)).toEqual([]);
});

test('every metric a Grafana panel queries is exported', () => {
  const queries = panelQueries();
  expect(queries.length).toBeGreaterThan(20);
  expect(unknownMetrics(queries, allowed)).toEqual([]);
});

test('the check catches a misspelt metric in a rule, and a selector it cannot read', () => {
  const text = readFileSync(repoPath(MONITORING_FILES.alerts), 'utf8');
  expect(text).toContain('byteair_queue_jobs{state="failed"}');
  const broken = parseAlertRules(text.replace('byteair_queue_jobs{state="failed"}', 'byteair_queue_job{state="failed"}'));
  expect(
    unknownMetrics(
      broken.map((r) => ({ where: r.alert, expr: r.expr })),
      allowed,
    ),
  ).toEqual([{ where: 'ByteairFailedJobs', name: 'byteair_queue_job' }]);
  expect(unknownMetrics([{ where: 'p', expr: '{__name__="byteair_queue_jobs"}' }], allowed)).toEqual([
    { where: 'p', name: '(no metric name in "{__name__=\\"byteair_queue_jobs\\"}")' },
  ]);
});

test('every label the alerts and panels match or group on is one their metrics have, and state/queue values exist', () => {
  expect(unknownLabels([...alertQueries(), ...panelQueries()], catalog)).toEqual([]);
});

test('the label check catches a misspelt label, a state that does not exist and a grouping label no metric has', () => {
  expect(
    unknownLabels(
      [
        { where: 'a', expr: 'byteair_queue_jobs{stat="failed"}' },
        { where: 'b', expr: 'max(byteair_circuit_state{state="opened"}) == 1' },
        { where: 'c', expr: 'max by (topc) (byteair_streaming_backlog_age_seconds) > 600' },
        { where: 'd', expr: 'sum by (le, kind) (rate(byteair_api_request_duration_seconds_bucket{kind="write"}[5m]))' },
      ],
      catalog,
    ),
  ).toEqual(['a: byteair_queue_jobs has no label stat', 'b: byteair_circuit_state{state} is never "opened"', 'c: no metric of the expression has label topc']);
});
