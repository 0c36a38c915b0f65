import { spawnSync } from 'node:child_process';

export interface PromtoolResult {
  readonly status: number | null;
  readonly output: string;
}

/** Whether promtool runs at all (ENOENT when it is not on PATH). */
export function promtoolAvailable(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/**
 * The one message a missing promtool fails with: the rules would otherwise go unchecked by the
 * only tool that evaluates PromQL the way Prometheus does, and a skipped test looks like a pass.
 */
export const PROMTOOL_MISSING =
  'promtool is not on PATH: it checks dashboards/prometheus/ the way Prometheus reads it. Install it (Debian/Ubuntu: sudo apt-get install -y --no-install-recommends prometheus; .ci/run does this as root), then run the test again.';

/** Runs promtool in `cwd` (rule files are named relative to the file naming them). */
export function promtool(args: readonly string[], cwd: string): PromtoolResult {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
