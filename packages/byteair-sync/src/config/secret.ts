import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Wraps a credential so that no accidental path (string interpolation, JSON.stringify,
 * console.log, util.inspect, pino) prints it. Only the signer calls `reveal()`.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

export { REDACTED };
