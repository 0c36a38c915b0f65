import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * A Node child of the benchmark (a worker or a producer): its "ready" line, its stdout lines,
 * its log, and its peak resident memory read from /proc before it goes.
 */
export interface BenchChild {
  readonly pid: number;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  /** Every JSON line it printed on stdout after the ready line. */
  readonly lines: readonly unknown[];
  /** Peak resident set (VmHWM) in bytes; undefined once it has exited or off Linux. */
  peakRssBytes(): number | undefined;
  /** Writes one line to its stdin (the producers wait for "go"). */
  send(line: string): void;
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

const READY_EVENTS = new Set(['ready']);

export function spawnBenchChild(args: readonly string[], env: Readonly<Record<string, string>>): BenchChild {
  const child: ChildProcess = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep the tail only: a worker that logs per job must not grow this process without bound.
    stderr = (stderr + chunk.toString()).slice(-200_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: unknown[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      const event = parsed !== null && typeof parsed === 'object' && 'event' in parsed ? parsed.event : undefined;
      if (typeof event === 'string' && READY_EVENTS.has(event)) resolve();
      else lines.push(parsed);
    });
    void exited.then((code) => reject(new Error(`child ${args.join(' ')} exited (${String(code)}) before it was ready:\n${stderr}`)));
  });
  ready.catch(() => undefined);
  const pid = child.pid ?? -1;
  return {
    pid,
    ready,
    exited,
    lines,
    peakRssBytes: () => peakRssOf(pid),
    send: (line) => void child.stdin?.write(`${line}\n`),
    log: () => stderr,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return await exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

function peakRssOf(pid: number): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}
