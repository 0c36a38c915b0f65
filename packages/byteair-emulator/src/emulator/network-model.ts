import type { Socket } from 'node:net';
import type { Random } from 'byteair-sync/internal/src/clock.js';

/** One-way delays of the emulated path between a client and the API, in ms. */
export interface PathDelays {
  /** Client to API: every request reaches the API (and is stamped) this long after it came in... */
  readonly inDelayMs: number;
  /** ...plus up to this much more, uniformly at random. */
  readonly inJitterMs: number;
  /** API to client: every answer leaves this long after it was ready... */
  readonly outDelayMs: number;
  /** ...plus up to this much more. */
  readonly outJitterMs: number;
}

/**
 * A WAN between the clients and the API, on loopback: each request is held for its drawn
 * one-way delay before the API sees it, so its arrival stamp (which the rate windows judge)
 * comes after the delay, and each answer is held for the way back. One TCP connection keeps
 * its order, as TCP does: a request never overtakes the one sent before it on the same
 * connection (head-of-line), so its arrival is at least that one's; the same for answers.
 * Times are the emulator's monotonic ms.
 */
export class NetworkModel {
  readonly #random: Random;
  readonly #lastBySocket = new WeakMap<Socket, { arrival: number; departure: number }>();

  constructor(random: Random) {
    this.#random = random;
  }

  /** When a request that came in at `receivedAt` on `socket` reaches the API. */
  arrival(socket: Socket, receivedAt: number, delays: PathDelays): number {
    const last = this.#last(socket);
    const at = Math.max(last.arrival, receivedAt + this.#draw(delays.inDelayMs, delays.inJitterMs));
    last.arrival = at;
    return at;
  }

  /** When an answer ready at `readyAt` on `socket` reaches its client. */
  departure(socket: Socket, readyAt: number, delays: PathDelays): number {
    const last = this.#last(socket);
    const at = Math.max(last.departure, readyAt + this.#draw(delays.outDelayMs, delays.outJitterMs));
    last.departure = at;
    return at;
  }

  #last(socket: Socket): { arrival: number; departure: number } {
    let last = this.#lastBySocket.get(socket);
    if (last === undefined) {
      last = { arrival: Number.NEGATIVE_INFINITY, departure: Number.NEGATIVE_INFINITY };
      this.#lastBySocket.set(socket, last);
    }
    return last;
  }

  #draw(delayMs: number, jitterMs: number): number {
    return delayMs + (jitterMs > 0 ? this.#random() * jitterMs : 0);
  }
}

export function hasPathDelay(delays: PathDelays): boolean {
  return delays.inDelayMs + delays.inJitterMs + delays.outDelayMs + delays.outJitterMs > 0;
}
