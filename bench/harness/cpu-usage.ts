import { readFileSync } from 'node:fs';
import { sleep } from './wait.js';

/** Clock ticks per second of /proc figures (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** User + system CPU seconds a process has used so far (Linux /proc); NaN if gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds the whole machine has been busy (not idle, not waiting for I/O) since boot. */
function machineBusySeconds(): number {
  try {
    const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).map(Number);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU used by named processes between start() and stop(), in cores (CPU seconds ÷ wall
 * seconds), plus the machine's total and what everything else on it used: on a shared VM
 * that last figure says how much a run was disturbed.
 */
export class CpuShare {
  readonly #pids: ReadonlyMap<string, number>;
  #from = new Map<string, number>();
  #machineFrom = 0;
  #startedAt = 0;

  constructor(pids: ReadonlyMap<string, number>) {
    this.#pids = pids;
  }

  start(): void {
    this.#startedAt = Date.now();
    this.#machineFrom = machineBusySeconds();
    this.#from = new Map([...this.#pids].map(([name, pid]) => [name, cpuSeconds(pid)]));
  }

  stop(): Record<string, number> {
    const wall = (Date.now() - this.#startedAt) / 1000;
    const cores = (seconds: number): number => Math.round((seconds / wall) * 100) / 100;
    const out: Record<string, number> = {};
    let mine = 0;
    for (const [name, pid] of this.#pids) {
      const used = cpuSeconds(pid) - (this.#from.get(name) ?? Number.NaN);
      mine += used;
      out[name] = cores(used);
    }
    const machine = machineBusySeconds() - this.#machineFrom;
    out.machine = cores(machine);
    out.others = cores(machine - mine);
    return out;
  }
}

/**
 * Waits (up to `maxWaitMs`) until the machine has been nearly idle for a few seconds, so a
 * run does not start in the middle of someone else's build on the shared VM. Resolves with
 * how long it waited and how busy the machine was when it gave up or went ahead.
 */
export async function waitForQuiet(maxWaitMs = 300_000, busyCoresBelow = 0.3, windowMs = 3_000): Promise<{ waitedMs: number; busyCores: number }> {
  const started = Date.now();
  for (;;) {
    const from = machineBusySeconds();
    await sleep(windowMs);
    const busyCores = (machineBusySeconds() - from) / (windowMs / 1000);
    const waitedMs = Date.now() - started;
    if (busyCores < busyCoresBelow || waitedMs >= maxWaitMs || Number.isNaN(busyCores)) return { waitedMs, busyCores: Math.round(busyCores * 100) / 100 };
  }
}
