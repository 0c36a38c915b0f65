import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../../../../test/support/shared.js';

/** The monitoring files, relative to the repository root (docs/monitoring.md names them). */
export const MONITORING_FILES = {
  alerts: 'packages/byteair-sync/dashboards/prometheus/alerts.yml',
  alertTests: 'packages/byteair-sync/dashboards/prometheus/alerts.test.yml',
  prometheus: 'packages/byteair-sync/dashboards/prometheus/prometheus.yml',
  dashboard: 'packages/byteair-sync/dashboards/grafana/byteair-sync.json',
  datasource: 'packages/byteair-sync/dashboards/grafana/provisioning/datasources/prometheus.yml',
  dashboardProvider: 'packages/byteair-sync/dashboards/grafana/provisioning/dashboards/byteair-sync.yml',
  compose: 'docker-compose.yml',
} as const;

export function repoPath(relative: string): string {
  return join(PROJECT_ROOT, relative);
}

function yamlFile(relative: string): unknown {
  return load(readFileSync(repoPath(relative), 'utf8'), { filename: relative });
}

const nonEmpty = z.string().trim().min(1);
const duration = z.string().regex(/^\d+[smhd]$/, 'a Prometheus duration such as 5m');

/**
 * What Prometheus accepts of an alerting rule, narrowed to what this project promises: a for:,
 * a severity an operator can route on, and both annotations (the description says what to do).
 */
const alertRule = z.strictObject({
  alert: z.string().regex(/^Byteair[A-Za-z]+$/),
  expr: nonEmpty,
  for: duration,
  labels: z.strictObject({ severity: z.enum(['warning', 'critical']) }),
  annotations: z.strictObject({ summary: nonEmpty, description: nonEmpty }),
});
const ruleFile = z.strictObject({ groups: z.array(z.strictObject({ name: nonEmpty, rules: z.array(alertRule).min(1) })).min(1) });
export type AlertRule = z.infer<typeof alertRule>;

export function parseAlertRules(text: string): AlertRule[] {
  return ruleFile.parse(load(text)).groups.flatMap((g) => g.rules);
}

export function readAlertRules(): AlertRule[] {
  return parseAlertRules(readFileSync(repoPath(MONITORING_FILES.alerts), 'utf8'));
}

const gridPos = z.object({ x: z.number().int().min(0), y: z.number().int().min(0), w: z.number().int().min(1).max(24), h: z.number().int().min(1) });
const datasourceRef = z.object({ type: z.literal('prometheus'), uid: z.literal('${datasource}') });
const target = z.object({ refId: nonEmpty, datasource: datasourceRef, expr: nonEmpty, legendFormat: z.string() });
const panel = z.object({
  id: z.number().int(),
  type: z.enum(['row', 'timeseries', 'stat', 'gauge', 'state-timeline']),
  title: nonEmpty,
  gridPos,
  datasource: datasourceRef.optional(),
  targets: z.array(target).optional(),
});
/** The Grafana dashboard model, as far as provisioning and the panels' queries need it. */
const dashboard = z.object({
  uid: z.literal('byteair-sync'),
  title: nonEmpty,
  schemaVersion: z.number().int().min(36),
  templating: z.object({ list: z.array(z.object({ name: z.string(), type: z.string(), query: z.unknown() })) }),
  panels: z.array(panel).min(1),
});
export type Dashboard = z.infer<typeof dashboard>;
export type Panel = z.infer<typeof panel>;

export function readDashboard(): Dashboard {
  return dashboard.parse(JSON.parse(readFileSync(repoPath(MONITORING_FILES.dashboard), 'utf8')));
}

/** Every query of the dashboard, with the panel it belongs to. */
export function dashboardQueries(board: Dashboard): Array<{ panel: string; expr: string }> {
  return board.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

const composeService = z.object({
  image: z.string().optional(),
  profiles: z.array(z.string()).optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  secrets: z.array(z.string()).optional(),
  environment: z.unknown().optional(),
});
const compose = z.object({
  services: z.record(z.string(), composeService),
  secrets: z.record(z.string(), z.object({ environment: z.string().optional(), file: z.string().optional() })).optional(),
  volumes: z.record(z.string(), z.unknown()).optional(),
});
export type Compose = z.infer<typeof compose>;

export function readCompose(): Compose {
  return compose.parse(yamlFile(MONITORING_FILES.compose));
}

const prometheusConfig = z.object({
  rule_files: z.array(z.string()),
  scrape_configs: z.array(
    z.object({
      job_name: z.string(),
      metrics_path: z.string(),
      basic_auth: z.object({ username: z.string(), password_file: z.string() }),
      static_configs: z.array(z.object({ targets: z.array(z.string()) })),
    }),
  ),
});

export function readPrometheusConfig(): z.infer<typeof prometheusConfig> {
  return prometheusConfig.parse(yamlFile(MONITORING_FILES.prometheus));
}

const datasourceFile = z.object({ datasources: z.array(z.object({ type: z.literal('prometheus'), url: z.string() })) });
const providerFile = z.object({ providers: z.array(z.object({ type: z.literal('file'), options: z.object({ path: z.string() }) })) });

export function readGrafanaProvisioning(): { datasourceUrls: string[]; dashboardPaths: string[] } {
  return {
    datasourceUrls: datasourceFile.parse(yamlFile(MONITORING_FILES.datasource)).datasources.map((d) => d.url),
    dashboardPaths: providerFile.parse(yamlFile(MONITORING_FILES.dashboardProvider)).providers.map((p) => p.options.path),
  };
}
