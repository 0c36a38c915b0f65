import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

/**
 * Preloaded into a process under test (`NODE_OPTIONS=--import=<this file>`; Node 20 refuses
 * --cpu-prof there) to see where its main thread's time goes: event-loop delay, every GC
 * pause, every stall (a 10 ms timer that fired over 50 ms late, with its epoch time, to line
 * up with other diagnostics), and with BENCH_CPU_PROFILE=1 a CPU profile. Written as JSON to BENCH_LOOP_MONITOR_OUT
 * (and `<out>.cpuprofile`) when the process exits.
 */
const out = process.env.BENCH_LOOP_MONITOR_OUT;
if (out !== undefined && out !== '') {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const pauses: Array<{ at: number; ms: number; kind: number }> = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = 'detail' in entry ? (entry.detail as { kind?: number } | undefined) : undefined;
      pauses.push({ at: Math.round(entry.startTime), ms: Math.round(entry.duration * 10) / 10, kind: detail?.kind ?? 0 });
    }
  }).observe({ entryTypes: ['gc'] });
  const stalls: Array<{ at: number; ms: number }> = [];
  let last = performance.now();
  // unref: the probe must not keep the process alive.
  setInterval(() => {
    const now = performance.now();
    if (now - last > 60) stalls.push({ at: Math.round(performance.timeOrigin + last), ms: Math.round(now - last - 10) });
    last = now;
  }, 10).unref();
  const session = process.env.BENCH_CPU_PROFILE === '1' ? new Session() : undefined;
  if (session !== undefined) {
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.start');
  }
  process.once('exit', () => {
    const ms = (ns: number): number => Math.round(ns / 1e5) / 10;
    const total = pauses.reduce((sum, p) => sum + p.ms, 0);
    writeFileSync(
      out,
      JSON.stringify({
        eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), count: delay.count },
        stalls,
        gc: { pauses: pauses.length, totalMs: Math.round(total), maxMs: Math.max(0, ...pauses.map((p) => p.ms)), over20ms: pauses.filter((p) => p.ms > 20) },
      }),
    );
    // Same-thread inspector sessions answer synchronously, so this completes before exit.
    session?.post('Profiler.stop', (error, result) => {
      if (error === null) writeFileSync(`${out}.cpuprofile`, JSON.stringify(result.profile));
    });
  });
}
