import type { ChildWorker, TestSystem } from '../support/system.js';

/** The kinds of process a fleet runs: full workers and single-role ones. */
export type ProcessKind = 'full' | 'batcher' | 'upload' | 'done';

const ROLES: Readonly<Record<ProcessKind, string>> = {
  full: 'upload,done,batcher',
  batcher: 'batcher',
  upload: 'upload',
  done: 'done',
};

export type FleetShape = Readonly<Record<ProcessKind, number>>;

/**
 * The worker processes of a chaos run. kill() SIGKILLs the oldest process of a kind and starts
 * its replacement at once, so the fleet keeps its shape and every kind is killed in turn.
 */
export class WorkerFleet {
  readonly #system: TestSystem;
  readonly #env: Record<string, string>;
  readonly #running = new Map<ProcessKind, ChildWorker[]>();
  readonly #kills: Record<ProcessKind, number> = { full: 0, batcher: 0, upload: 0, done: 0 };

  constructor(system: TestSystem, env: Record<string, string> = {}) {
    this.#system = system;
    this.#env = env;
  }

  async start(shape: FleetShape): Promise<void> {
    const started: ChildWorker[] = [];
    for (const [kind, count] of Object.entries(shape) as Array<[ProcessKind, number]>) {
      for (let i = 0; i < count; i += 1) started.push(this.#spawn(kind));
    }
    await Promise.all(started.map(async (w) => await w.ready));
  }

  /** SIGKILLs the oldest process of `kind` and starts a replacement; resolves when it is ready. */
  async kill(kind: ProcessKind): Promise<void> {
    const list = this.#running.get(kind) ?? [];
    const victim = list.shift();
    if (victim === undefined) return;
    await victim.kill('SIGKILL');
    this.#kills[kind] += 1;
    await this.#spawn(kind).ready;
  }

  kills(): Readonly<Record<ProcessKind, number>> {
    return { ...this.#kills };
  }

  /** Logs of the processes running now (the killed ones are gone with their pipes). */
  logs(): string {
    return [...this.#running.values()]
      .flat()
      .map((w) => w.log())
      .join('\n');
  }

  #spawn(kind: ProcessKind): ChildWorker {
    const worker = this.#system.startWorker(ROLES[kind], this.#env);
    const list = this.#running.get(kind) ?? [];
    list.push(worker);
    this.#running.set(kind, list);
    return worker;
  }
}
