import { readFileSync } from 'node:fs';
import { exportedMetricNames, PENDING_METRICS, PROMETHEUS_METRICS, sampledMetricNames } from './support/exported-metrics.js';
import { unknownMetrics } from './support/metric-check.js';
import { dashboardQueries, MONITORING_FILES, parseAlertRules, readAlertRules, readDashboard, repoPath } from './support/monitoring-files.js';

/**
 * Every metric the alerts and the Grafana panels query must be one dashboards/metrics-registry.ts
 * exports (or Prometheus's own `up`, or one of PENDING_METRICS): a renamed or misspelt metric
 * would otherwise leave an alert that can never fire and a panel that says "No data".
 */
let exported: ReadonlySet<string>;
let allowed: ReadonlySet<string>;

beforeAll(async () => {
  exported = await exportedMetricNames();
  allowed = new Set([...exported, ...PROMETHEUS_METRICS, ...PENDING_METRICS]);
});

test('the names come from the registry: its families, and histograms as the series they expose', async () => {
  expect(exported).toContain('byteair_api_requests_total');
  expect(exported).toContain('byteair_circuit_state');
  expect(exported).toContain('byteair_api_request_duration_seconds_bucket');
  expect(exported).not.toContain('byteair_api_request_duration_seconds');
  // The fixture gives every family a value, so the names listed are the names sampled.
  expect([...(await sampledMetricNames())].sort()).toEqual([...exported].sort());
});

test('PENDING_METRICS lists only names the registry does not export yet (remove each one once it does)', () => {
  expect(PENDING_METRICS.filter((name) => exported.has(name))).toEqual([]);
});

test('every metric an alert expression uses is exported', () => {
  const rules = readAlertRules();
  expect(unknownMetrics(rules.map((r) => ({ where: r.alert, expr: r.expr })), allowed)).toEqual([]);
});

test('every metric a Grafana panel queries is exported', () => {
  const queries = dashboardQueries(readDashboard());
  expect(queries.length).toBeGreaterThan(20);
  expect(unknownMetrics(queries.map((q) => ({ where: q.panel, expr: q.expr })), allowed)).toEqual([]);
});

test('the check catches a misspelt metric in a rule, and a selector it cannot read', () => {
  const text = readFileSync(repoPath(MONITORING_FILES.alerts), 'utf8');
  expect(text).toContain('byteair_queue_jobs{state="failed"}');
  const broken = parseAlertRules(text.replace('byteair_queue_jobs{state="failed"}', 'byteair_queue_job{state="failed"}'));
  expect(unknownMetrics(broken.map((r) => ({ where: r.alert, expr: r.expr })), allowed)).toEqual([{ where: 'ByteairFailedJobs', name: 'byteair_queue_job' }]);
  expect(unknownMetrics([{ where: 'p', expr: '{__name__="byteair_queue_jobs"}' }], allowed)).toEqual([{ where: 'p', name: '(no metric name in "{__name__=\\"byteair_queue_jobs\\"}")' }]);
});
