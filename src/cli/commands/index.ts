import type { Command } from 'commander';
import { registerDemo as demo } from './demo.js';
import { registerDone as done } from './done.js';
import { register as emulator } from './emulator.js';
import { registerIngest as ingest } from './ingest.js';
import { registerWorker as worker } from './worker.js';
import { registerWrite as write } from './write.js';

/** Each command module exports one `register` function; the list is explicit, no magic discovery. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [emulator, worker, write, done, demo, ingest];
