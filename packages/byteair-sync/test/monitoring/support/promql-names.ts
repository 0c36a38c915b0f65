/**
 * The metric names a PromQL expression selects, without a PromQL parser: what is left once
 * string literals, Grafana variables, label matchers, range and subquery brackets and the
 * label lists of by/without/on/ignoring/group_left/group_right are blanked out is functions
 * (a name followed by "("), keywords, numbers and durations, and metric names. Good enough for
 * the expressions of dashboards/, and it errs towards reporting: an unknown word is returned as
 * a metric name, so a typo fails the check instead of slipping through.
 */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'atan2']);

export function metricNamesIn(expr: string): string[] {
  const blanked = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  const names = new Set<string>();
  // Numbers and durations (5m, 1e3, 0x1f) are matched first so that their letters are not names.
  for (const match of blanked.matchAll(/\d[\w.]*|[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    if (/^\d/.test(word) || KEYWORDS.has(word.toLowerCase())) continue;
    const after = blanked.slice(match.index + word.length);
    if (/^\s*\(/.test(after)) continue;
    names.add(word);
  }
  return [...names];
}

export interface LabelMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** Each `name{…}` selector of the expression, with its label matchers. */
export function selectorsIn(expr: string): Array<{ metric: string; matchers: LabelMatcher[] }> {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)].map((m) => ({
    metric: m[1] ?? '',
    matchers: [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((l) => ({
      label: l[1] ?? '',
      op: l[2] as LabelMatcher['op'],
      value: l[3] ?? '',
    })),
  }));
}

/** The labels named in by/without/on/ignoring/group_left/group_right lists. */
export function groupingLabelsIn(expr: string): string[] {
  const labels = [...expr.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/gi)].flatMap((m) =>
    (m[1] ?? '').split(',').map((l) => l.trim()),
  );
  return [...new Set(labels.filter((l) => l !== ''))];
}
