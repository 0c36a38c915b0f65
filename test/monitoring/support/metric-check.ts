import { metricNamesIn } from './promql-names.js';

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
