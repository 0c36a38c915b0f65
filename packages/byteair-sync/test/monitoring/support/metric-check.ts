import { groupingLabelsIn, metricNamesIn, selectorsIn } from './promql-names.js';

export interface UnknownMetric {
  /** The alert or panel the expression belongs to. */
  readonly where: string;
  readonly name: string;
}

/** Each expression's metric names that are not allowed, and expressions that name none (a selector the check cannot see). */
export function unknownMetrics(queries: ReadonlyArray<{ where: string; expr: string }>, allowed: ReadonlySet<string>): UnknownMetric[] {
  return queries.flatMap(({ where, expr }) => {
    const names = metricNamesIn(expr);
    if (names.length === 0) return [{ where, name: `(no metric name in ${JSON.stringify(expr)})` }];
    return names.filter((n) => !allowed.has(n)).map((name) => ({ where, name }));
  });
}

/** What a metric's series carry: their label names, and for closed labels every value there is. */
export interface MetricLabels {
  readonly labels: ReadonlySet<string>;
  readonly closedValues: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Label matchers naming a label the metric does not have, or a value a closed label never
 * takes, and by/on/… labels none of the expression's metrics has: each leaves a selector that
 * matches nothing, or a grouping that merges what it should keep apart.
 */
export function unknownLabels(queries: ReadonlyArray<{ where: string; expr: string }>, catalog: ReadonlyMap<string, MetricLabels>): string[] {
  return queries.flatMap(({ where, expr }) => {
    const problems: string[] = [];
    for (const { metric, matchers } of selectorsIn(expr)) {
      const known = catalog.get(metric);
      if (known === undefined) continue;
      for (const { label, op, value } of matchers) {
        if (!known.labels.has(label)) problems.push(`${where}: ${metric} has no label ${label}`);
        const values = known.closedValues.get(label);
        if (values !== undefined && (op === '=' || op === '!=') && !values.has(value)) problems.push(`${where}: ${metric}{${label}} is never "${value}"`);
      }
    }
    const metrics = metricNamesIn(expr).flatMap((name) => catalog.get(name) ?? []);
    if (metrics.length > 0) {
      for (const label of groupingLabelsIn(expr))
        if (!metrics.some((m) => m.labels.has(label))) problems.push(`${where}: no metric of the expression has label ${label}`);
    }
    return problems;
  });
}
