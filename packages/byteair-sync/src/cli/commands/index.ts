import type { Command } from 'commander';
import { loadEmulatorCommand } from './emulator-commands.js';

/** Each command module exports one `register` function; the list is explicit, no magic discovery. */
export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  /** The command names the module registers (pause.ts registers pause and resume). */
  readonly names: readonly string[];
  /**
   * Loaded only when needed: the modules behind the commands pull in BullMQ, Express, Bull
   * Board, got and prom-client, about 70 MB and most of a second that `push` or `import`
   * should not pay for the dashboard's sake.
   */
  load(): Promise<RegisterCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    names: ['emulator'],
    load: async () => await loadEmulatorCommand('emulator', 'registerEmulator', 'Run a local ByteAir data API for tests, demos and outage rehearsals.'),
  },
  { names: ['worker'], load: async () => (await import('./worker.js')).registerWorker },
  { names: ['write'], load: async () => (await import('./write.js')).registerWrite },
  { names: ['done'], load: async () => (await import('./done.js')).registerDone },
  {
    names: ['demo'],
    load: async () => await loadEmulatorCommand('demo', 'registerDemo', 'Run everything on this machine against the emulator and show the reconciliation.'),
  },
  { names: ['ingest'], load: async () => (await import('./ingest.js')).registerIngest },
  { names: ['import'], load: async () => (await import('./import.js')).registerImport },
  { names: ['push'], load: async () => (await import('./push.js')).registerPush },
  { names: ['seal'], load: async () => (await import('./seal.js')).registerSeal },
  { names: ['status'], load: async () => (await import('./status.js')).registerStatus },
  { names: ['rejected'], load: async () => (await import('./rejected.js')).registerRejected },
  { names: ['replay'], load: async () => (await import('./replay.js')).registerReplay },
  { names: ['pause'], load: async () => (await import('./pause.js')).registerPause },
  { names: ['resume'], load: async () => (await import('./pause.js')).registerResume },
  { names: ['dashboard'], load: async () => (await import('./dashboard.js')).registerDashboard },
];
