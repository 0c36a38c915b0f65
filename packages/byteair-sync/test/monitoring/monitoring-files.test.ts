import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { load } from 'js-yaml';
import { metricNamesIn } from './support/promql-names.js';
import {
  dashboardQueries,
  MONITORING_FILES,
  readAlertRules,
  readCompose,
  readDashboard,
  readGrafanaProvisioning,
  readPrometheusConfig,
  repoPath,
  type Panel,
} from './support/monitoring-files.js';
import { promtool, promtoolAvailable, PROMTOOL_MISSING } from './support/promtool.js';

const PROMETHEUS_DIR = repoPath(dirname(MONITORING_FILES.alerts));
const havePromtool = promtoolAvailable();
/** Only the first test reports a missing promtool; the ones that need it are then skipped, not failed again. */
const withPromtool = havePromtool ? test : test.skip;

describe('promtool', () => {
  test('is installed', () => {
    if (!havePromtool) throw new Error(PROMTOOL_MISSING);
  });

  withPromtool('check rules accepts alerts.yml, all of its rules', () => {
    const { status, output } = promtool(['check', 'rules', 'alerts.yml'], PROMETHEUS_DIR);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining(`SUCCESS: ${readAlertRules().length} rules found`) as unknown });
  });

  withPromtool('check config accepts prometheus.yml and the rule file it names', () => {
    const { status, output } = promtool(['check', 'config', 'prometheus.yml'], PROMETHEUS_DIR);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 1 rule files found') as unknown });
  });

  withPromtool('test rules: every alert fires in alerts.test.yml, after its for:, with its annotations', () => {
    const { status, output } = promtool(['test', 'rules', 'alerts.test.yml'], PROMETHEUS_DIR);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') as unknown });
  });

  withPromtool('a rule promtool refuses fails the check (the exit status is read, not ignored)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'byteair-promtool-'));
    try {
      writeFileSync(join(dir, 'bad.yml'), 'groups:\n  - name: g\n    rules:\n      - alert: Bad\n        expr: sum(rate(byteair_records_total[5m]) > \n');
      expect(promtool(['check', 'rules', 'bad.yml'], dir).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('alerts.test.yml fires every alert of alerts.yml at least once', () => {
  const tests = load(readFileSync(repoPath(MONITORING_FILES.alertTests), 'utf8')) as {
    tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
  };
  const fired = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
  expect(
    readAlertRules()
      .map((r) => r.alert)
      .filter((name) => !fired.has(name)),
  ).toEqual([]);
});

describe('alerts.yml', () => {
  const rules = readAlertRules();

  test('alert names are unique', () => {
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  test('alerts cover daily Done late, circuit open, 429s, failed jobs, streaming backlog age, Redis memory', () => {
    const used = new Set(rules.flatMap((r) => metricNamesIn(r.expr)));
    for (const name of [
      'byteair_daily_done_lag_seconds',
      'byteair_circuit_state',
      'byteair_rate_limited_total',
      'byteair_queue_jobs',
      'byteair_streaming_backlog_age_seconds',
      'byteair_redis_used_memory_bytes',
    ])
      expect(used).toContain(name);
  });

  test('every description tells the operator what to run or set', () => {
    const actionable = /`(?:byteair-sync|docker compose|redis-cli) |BYTEAIR_[A-Z_]+/;
    expect(rules.filter((r) => !actionable.test(r.annotations.description)).map((r) => r.alert)).toEqual([]);
  });
});

describe('byteair-sync.json', () => {
  const board = readDashboard();
  const panels = board.panels;
  const queryPanels = panels.filter((p) => p.type !== 'row');

  test('panel ids are unique and every query panel has queries with unique refIds', () => {
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of queryPanels) {
      const refs = (p.targets ?? []).map((t) => t.refId);
      expect({ panel: p.title, queries: refs.length > 0, unique: new Set(refs).size === refs.length }).toEqual({ panel: p.title, queries: true, unique: true });
    }
  });

  test('panels fit the 24-column grid without overlapping', () => {
    const overlap = (a: Panel, b: Panel): boolean =>
      a.gridPos.x < b.gridPos.x + b.gridPos.w &&
      b.gridPos.x < a.gridPos.x + a.gridPos.w &&
      a.gridPos.y < b.gridPos.y + b.gridPos.h &&
      b.gridPos.y < a.gridPos.y + a.gridPos.h;
    expect(panels.filter((p) => p.gridPos.x + p.gridPos.w > 24).map((p) => p.title)).toEqual([]);
    const clashes = panels.flatMap((a, i) =>
      panels
        .slice(i + 1)
        .filter((b) => overlap(a, b))
        .map((b) => `${a.title} / ${b.title}`),
    );
    expect(clashes).toEqual([]);
  });

  test('panels read the data source chosen in the `datasource` variable (Prometheus)', () => {
    expect(board.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    expect(queryPanels.filter((p) => p.datasource === undefined).map((p) => p.title)).toEqual([]);
  });

  test('the dashboard shows throughput and requests against the ceilings, 429s, limiter margin and spread, queues, circuit, backlog age, daily Done lag, Redis memory', () => {
    const used = new Set(dashboardQueries(board).flatMap((q) => metricNamesIn(q.expr)));
    for (const name of [
      'byteair_records_total',
      'byteair_limiter_effective_records_per_second',
      'byteair_api_requests_total',
      'byteair_limiter_effective_requests_per_second',
      'byteair_rate_limited_total',
      'byteair_limiter_margin_ms',
      'byteair_limiter_path_spread_ms',
      'byteair_queue_jobs',
      'byteair_circuit_state',
      'byteair_streaming_backlog_age_seconds',
      'byteair_daily_done_lag_seconds',
      'byteair_daily_last_done_date_timestamp_seconds',
      'byteair_redis_used_memory_bytes',
      'byteair_redis_maxmemory_bytes',
    ]) {
      expect(used).toContain(name);
    }
  });
});

describe('the monitoring compose profile', () => {
  const compose = readCompose();
  const services = compose.services;
  const MONITORING = ['prometheus', 'grafana'];
  const bindMounts = (service: string): Array<{ source: string; target: string; readOnly: boolean }> =>
    (services[service]?.volumes ?? [])
      .filter((v) => v.startsWith('./'))
      .map((v) => {
        const [source = '', target = '', mode = ''] = v.split(':');
        return { source, target, readOnly: mode === 'ro' };
      });

  test('runs Prometheus and Grafana only under --profile monitoring; the stack itself has no profile', () => {
    expect(
      Object.entries(services)
        .filter(([, s]) => s.profiles?.includes('monitoring') === true)
        .map(([name]) => name),
    ).toEqual(MONITORING);
    expect(
      Object.entries(services)
        .filter(([name, s]) => !MONITORING.includes(name) && s.profiles !== undefined)
        .map(([name]) => name),
    ).toEqual([]);
  });

  test('pinned images, loopback-only ports, read-only mounts of files that exist', () => {
    for (const name of MONITORING) {
      const service = services[name];
      expect(service?.image).toMatch(/^(prom\/prometheus|grafana\/grafana):v?\d+\.\d+\.\d+$/);
      expect(service?.ports?.filter((p) => !p.startsWith('127.0.0.1:'))).toEqual([]);
      const mounts = bindMounts(name);
      expect(mounts.length).toBeGreaterThan(0);
      for (const m of mounts) expect({ ...m, exists: existsSync(repoPath(m.source)) }).toEqual({ ...m, readOnly: true, exists: true });
    }
  });

  test('Prometheus reads prometheus.yml and its rules from the mount, and scrapes the dashboard service with its login', () => {
    const prometheus = services.prometheus;
    const mount = bindMounts('prometheus').find((m) => m.target === '/etc/prometheus');
    expect(mount?.source).toBe(`./${dirname(MONITORING_FILES.prometheus)}`);
    expect(prometheus?.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const config = readPrometheusConfig();
    for (const file of config.rule_files) expect(existsSync(join(PROMETHEUS_DIR, file))).toBe(true);

    const [scrape] = config.scrape_configs;
    expect(scrape?.static_configs.flatMap((s) => s.targets)).toEqual(['dashboard:3000']);
    expect(services.dashboard?.command).toEqual(expect.arrayContaining(['dashboard', '--port', '3000']));
    // The password comes from the compose secret that holds the dashboard's own password variable.
    const secret = posix.basename(scrape?.basic_auth.password_file ?? '');
    expect(scrape?.basic_auth.password_file).toBe(`/run/secrets/${secret}`);
    expect(prometheus?.secrets).toContain(secret);
    expect(compose.secrets?.[secret]).toEqual({ environment: 'BYTEAIR_DASHBOARD_PASSWORD' });
    // The user is written in prometheus.yml (Prometheus 2 has no username_file): it must be the compose default.
    const dashboardEnv = services.dashboard?.environment as Record<string, string> | undefined;
    expect(dashboardEnv?.BYTEAIR_DASHBOARD_USER).toBe(`\${BYTEAIR_DASHBOARD_USER:-${scrape?.basic_auth.username ?? ''}}`);
  });

  test('Grafana provisions the Prometheus service and loads byteair-sync.json from the mount', () => {
    const mount = bindMounts('grafana').find((m) => m.source === `./${dirname(MONITORING_FILES.dashboard)}`);
    expect(mount).toBeDefined();
    const env = services.grafana?.environment as Record<string, string> | undefined;
    expect(env?.GF_PATHS_PROVISIONING).toBe(`${mount?.target ?? ''}/provisioning`);
    const { datasourceUrls, dashboardPaths } = readGrafanaProvisioning();
    expect(dashboardPaths).toEqual([mount?.target]);
    expect(datasourceUrls).toEqual(['http://prometheus:9090']);
    expect(services.prometheus?.ports).toEqual(['127.0.0.1:9090:9090']);
  });
});
