/** Undoes one acquisition: closes a connection or a server, stops a timer or a loop. */
export type Releaser = () => void | Promise<void>;

/**
 * What a process, or one role in it, has acquired, released last acquired first: whatever
 * was acquired later may use what came before it (workers use the connection, a server the
 * queues), so it has to stop first.
 */
export class Releasers {
  readonly #stack: Releaser[] = [];
  readonly #onError: ((error: unknown) => void) | undefined;
  #releasing: Promise<void> | undefined;

  /**
   * With `onError`, a releaser's error is handed to it and release() resolves; without, the
   * first error is thrown once every releaser has run.
   */
  constructor(onError?: (error: unknown) => void) {
    this.#onError = onError;
  }

  add(releaser: Releaser): void {
    this.#stack.push(releaser);
  }

  /**
   * Runs every releaser once, last added first. A failing one does not keep the rest from
   * running: a connection left open would keep the process alive. Calling it again returns
   * the same promise, so a close() may be called twice.
   */
  release(): Promise<void> {
    this.#releasing ??= this.#releaseAll();
    return this.#releasing;
  }

  async #releaseAll(): Promise<void> {
    let failure: { readonly error: unknown } | undefined;
    for (let releaser = this.#stack.pop(); releaser !== undefined; releaser = this.#stack.pop()) {
      try {
        await releaser();
      } catch (error) {
        if (this.#onError === undefined) failure ??= { error };
        else this.#onError(error);
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}

/**
 * Runs `acquire` with a fresh stack; should it throw, releases whatever it had acquired by
 * then and rethrows its error (not one from releasing). On success the caller owns the stack,
 * typically by returning `releasers.release` as its close().
 */
export async function withReleasers<T>(acquire: (releasers: Releasers) => Promise<T>, onError?: (error: unknown) => void): Promise<T> {
  const releasers = new Releasers(onError);
  try {
    return await acquire(releasers);
  } catch (error) {
    await releasers.release().catch(() => undefined);
    throw error;
  }
}
