import type { Command } from 'commander';
import { register as emulator } from './emulator.js';

/** Each command module exports one `register` function; the list is explicit, no magic discovery. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [emulator];
