/**
 * Bytes of request bodies the ingest server holds at once, across every request. Each body
 * is held while it is read, parsed and pushed, and costs memory all that time (its bytes,
 * the record being parsed), so the total is bounded here rather than only each body:
 * several large bodies at once are answered 503 before they are read, not taken until the
 * process runs out of memory.
 */
export class BodyBudget {
  readonly limit: number;
  #held = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** One request's share; release() it when the request is answered. */
  hold(): BodyHold {
    let mine = 0;
    return {
      ensure: (bytes: number): boolean => {
        if (bytes <= mine) return true;
        if (this.#held + (bytes - mine) > this.limit) return false;
        this.#held += bytes - mine;
        mine = bytes;
        return true;
      },
      release: () => {
        this.#held -= mine;
        mine = 0;
      },
    };
  }
}

export interface BodyHold {
  /** Grows this request's share to `bytes` if the budget has room; false (nothing taken) if not. */
  ensure(bytes: number): boolean;
  /** Gives the share back; safe to call more than once. */
  release(): void;
}
