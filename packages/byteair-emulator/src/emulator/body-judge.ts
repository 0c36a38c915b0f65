import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BodyJobMessage, BodyResultMessage } from './body-thread-messages.js';
import { createBodyJudge, type BodyJob, type BodyVerdict, type JudgeBody } from './body-verdict.js';
import { BodyWorkerError, EmulatorClosedError } from './emulator-errors.js';
import { inflateOffThread, type BodyProblem } from './request-body.js';

/**
 * Judges request bodies (see body-verdict.ts) away from the main thread. The main thread
 * stamps each request's arrival in its 'request' handler; a 10 000-record body parsed there
 * blocks it for tens of milliseconds, so a request arriving meanwhile is stamped late and
 * looks closer to the next one than it was sent, an excess the client never caused. A real
 * API stamps arrival at its front door, whatever other bodies cost to parse.
 */
export interface BodyJudge {
  /** Worker threads judging bodies; 0 when they are judged on the calling thread. */
  readonly threads: number;
  readonly judge: JudgeBody;
  close(): Promise<void>;
}

/**
 * The worker's compiled entry, next to this module in dist/. Running from the TypeScript
 * sources (ts-jest), this module is a .ts file and there is no body-worker.js beside it: a
 * worker thread is a fresh isolate that jest's transform never sees, and node 20 can neither
 * load .ts nor map the `.js` import specifiers to .ts files. Pointing it at dist/ instead
 * would run whatever was built last, not the sources under test. So without the compiled
 * entry the same judge runs inline; the threaded path is covered by tests that spawn the
 * compiled CLI (test/emulator/body-threads.test.ts and test/system/).
 */
const WORKER_ENTRY = new URL('./body-worker.js', import.meta.url);

/** `threads` worker threads, or inline judging when 0 or when the compiled entry is absent. */
export function startBodyJudge(threads: number): BodyJudge {
  if (threads === 0 || !existsSync(fileURLToPath(WORKER_ENTRY)))
    return { threads: 0, judge: createBodyJudge(inflateOffThread), close: () => Promise.resolve() };
  return new ThreadedBodyJudge(threads);
}

interface Pending {
  resolve(verdict: BodyVerdict | BodyProblem): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

class ThreadedBodyJudge implements BodyJudge {
  readonly threads: number;
  readonly #slots: Slot[] = [];
  #nextId = 0;
  #closed = false;

  constructor(threads: number) {
    this.threads = threads;
    for (let i = 0; i < threads; i += 1) this.#slots.push(this.#spawn());
  }

  readonly judge = (job: BodyJob): Promise<BodyVerdict | BodyProblem> => {
    if (this.#closed) return Promise.reject(new EmulatorClosedError('judge a request body'));
    // A thread lost to a crash is replaced here, on demand, so an entry that cannot even
    // load fails one request at a time instead of respawning in a tight loop.
    while (this.#slots.length < this.threads) this.#slots.push(this.#spawn());
    // Least busy, not round robin: a 10 000-record body costs a hundred small ones.
    const slot = this.#slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    this.#nextId += 1;
    const id = this.#nextId;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      // Cloned, not transferred: a small Buffer is a view on node's shared allocation pool.
      slot.worker.postMessage({ id, job } satisfies BodyJobMessage);
    });
  };

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const slots = this.#slots.splice(0);
    for (const slot of slots) this.#failAll(slot, new EmulatorClosedError('judge a request body'));
    await Promise.all(slots.map(async (slot) => await slot.worker.terminate()));
  }

  #spawn(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_ENTRY), pending: new Map() };
    slot.worker.on('message', (message: BodyResultMessage) => {
      const pending = slot.pending.get(message.id);
      if (pending === undefined) return;
      slot.pending.delete(message.id);
      if ('failure' in message) pending.reject(new BodyWorkerError(message.failure));
      else pending.resolve(message.verdict);
    });
    slot.worker.once('error', (error) => this.#lost(slot, new BodyWorkerError(error.message, error)));
    slot.worker.once('exit', (code) => this.#lost(slot, new BodyWorkerError(`the thread exited with code ${code}`)));
    return slot;
  }

  /** A thread died (an 'error' is followed by 'exit'): its jobs fail, judge() replaces it. */
  #lost(slot: Slot, error: BodyWorkerError): void {
    const at = this.#slots.indexOf(slot);
    if (at !== -1) this.#slots.splice(at, 1);
    this.#failAll(slot, error);
  }

  #failAll(slot: Slot, error: Error): void {
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
  }
}
