import { fileURLToPath } from 'node:url';

const LOOP_MONITOR = fileURLToPath(new URL('./loop-monitor.js', import.meta.url));
const HTTP_TAP = fileURLToPath(new URL('./http-tap.js', import.meta.url));

export interface DiagnosticOutputs {
  /** loop-monitor.ts output file ('' = off); a trailing `+cpu` also takes a CPU profile. */
  readonly monitor: string;
  /** http-tap.ts output prefix ('' = off). */
  readonly tap: string;
}

/** Environment that preloads the diagnostics asked for into a child process; empty when none. */
export function diagnosticEnv(outputs: DiagnosticOutputs): Record<string, string> {
  const imports: string[] = [];
  const env: Record<string, string> = {};
  if (outputs.monitor !== '') {
    const cpu = outputs.monitor.endsWith('+cpu');
    imports.push(`--import=${LOOP_MONITOR}`);
    env.BENCH_LOOP_MONITOR_OUT = cpu ? outputs.monitor.slice(0, -4) : outputs.monitor;
    if (cpu) env.BENCH_CPU_PROFILE = '1';
  }
  if (outputs.tap !== '') {
    imports.push(`--import=${HTTP_TAP}`);
    env.BENCH_HTTP_TAP_OUT = outputs.tap;
  }
  return imports.length === 0 ? {} : { ...env, NODE_OPTIONS: imports.join(' ') };
}
