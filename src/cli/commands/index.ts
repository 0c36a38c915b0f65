import type { Command } from 'commander';
import { register as emulator } from './emulator.js';
import { registerWorker as worker } from './worker.js';

/** Each command module exports one `register` function; the list is explicit, no magic discovery. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [emulator, worker];
