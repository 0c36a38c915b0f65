/**
 * Base class of every error this project throws on purpose. `code` is stable and meant
 * for programs (switch on it, alert on it); `message` is for people and never contains
 * a secret. `details` carries structured context (field names, values, ids) that is
 * safe to log.
 */
export abstract class ByteairSyncError extends Error {
  abstract readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = Object.freeze({ ...details });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}
