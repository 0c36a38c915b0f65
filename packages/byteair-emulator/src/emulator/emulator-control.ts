import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import got from 'got';
import type { EmulatorStats } from './emulator-stats.js';
import type { Faults, FaultsPatch } from './faults.js';
import type { OutageMode } from './admin-routes.js';
import type { Arrival } from './arrival-log.js';
import type { FrontDoorPriority } from './front-door-priority.js';

/**
 * Drives an emulator running in its own process (`byteair-sync emulator`) through its admin
 * endpoint. Tests, benchmarks and the demo use this so the emulator has its own event loop:
 * arrival times it records are then not skewed by work in the caller's process.
 */
export interface EmulatorControl {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Whether its stamping thread got priority (see front-door-priority.ts), from its start line. */
  readonly frontDoor: FrontDoorPriority;
  stats(): Promise<EmulatorStats>;
  /** Accepted ids of a topic and how often each was accepted. */
  ledger(topic: string): Promise<Map<string, number>>;
  /** The latest arrivals counted in the rate windows. */
  arrivals(): Promise<Arrival[]>;
  setFaults(patch: FaultsPatch): Promise<Faults>;
  /** Takes the API down for `seconds` (the admin endpoint too, in 'refuse' mode). */
  outage(seconds: number, mode?: OutageMode): Promise<void>;
  storm(seconds: number): Promise<void>;
  reset(): Promise<void>;
  /** The emulator's stderr so far (its log). */
  log(): string;
  close(): Promise<void>;
}

export interface SpawnEmulatorOptions {
  /** The compiled byteair-sync CLI (its dist/src/cli/main.js), which loads this package's `emulator` command. */
  readonly cli: string;
  /** Extra `byteair-sync emulator` flags (credentials, limits, faults...). */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

export async function spawnEmulator(options: SpawnEmulatorOptions): Promise<EmulatorControl> {
  const child: ChildProcess = spawn(process.execPath, [options.cli, 'emulator', '--port', '0', ...(options.args ?? [])], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const { url, frontDoor } = await new Promise<{ url: string; frontDoor: FrontDoorPriority }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`emulator did not start within ${options.startTimeoutMs ?? 15_000} ms:\n${stderr}`)),
      options.startTimeoutMs ?? 15_000,
    );
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string; frontDoor?: FrontDoorPriority };
        if (event.event === 'listening' && typeof event.url === 'string') {
          clearTimeout(timer);
          resolve({ url: event.url, frontDoor: event.frontDoor ?? { nice: 0, raised: false, reason: 'not reported' } });
        }
      } catch {
        // not a JSON line
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${String(code)}) before listening:\n${stderr}`));
    });
  });
  const admin = got.extend({ prefixUrl: `${url}/__emulator`, retry: { limit: 0 }, timeout: { request: 30_000 } });
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid ?? -1,
    frontDoor,
    stats: async () => await admin.get('stats').json<EmulatorStats>(),
    async ledger(topic) {
      const body = await admin.get('ledger', { searchParams: { topic } }).json<{ ids: Record<string, number> }>();
      return new Map(Object.entries(body.ids));
    },
    arrivals: async () => (await admin.get('arrivals').json<{ arrivals: Arrival[] }>()).arrivals,
    setFaults: async (patch) => await admin.post('faults', { json: patch }).json<Faults>(),
    async outage(seconds, mode = 'refuse') {
      await admin.post('outage', { json: { seconds, mode } });
    },
    async storm(seconds) {
      await admin.post('storm', { json: { seconds } });
    },
    async reset() {
      await admin.post('reset', { json: {} });
    },
    log: () => stderr,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
