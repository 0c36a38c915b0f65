import type { Command } from 'commander';
import { registerDashboard as dashboard } from './dashboard.js';
import { registerDemo as demo } from './demo.js';
import { registerDone as done } from './done.js';
import { register as emulator } from './emulator.js';
import { registerImport as importFile } from './import.js';
import { registerIngest as ingest } from './ingest.js';
import { registerPause as pause, registerResume as resume } from './pause.js';
import { registerPush as push } from './push.js';
import { registerRejected as rejected } from './rejected.js';
import { registerReplay as replay } from './replay.js';
import { registerSeal as seal } from './seal.js';
import { registerStatus as status } from './status.js';
import { registerWorker as worker } from './worker.js';
import { registerWrite as write } from './write.js';

/** Each command module exports one `register` function; the list is explicit, no magic discovery. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [emulator, worker, write, done, demo, ingest, importFile, push, seal, status, rejected, replay, pause, resume, dashboard];
