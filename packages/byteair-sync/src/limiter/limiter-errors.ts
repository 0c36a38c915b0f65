import { ByteairSyncError } from '../errors/byteair-sync-error.js';

/** The caller's AbortSignal fired while it waited for the limiter; any booking it held was released. */
export class LimiterAbortedError extends ByteairSyncError {
  readonly code = 'LIMITER_ABORTED';

  constructor(priority: string, records: number, reason: unknown) {
    super(`limiter wait aborted (${priority}, ${records} records)`, { priority, records }, { cause: reason });
  }
}

/** A limiter or circuit breaker option is out of range; names the option and the value. */
export class LimiterOptionError extends ByteairSyncError {
  readonly code = 'LIMITER_OPTION_INVALID';
  readonly option: string;

  constructor(option: string, value: unknown, reason: string) {
    super(`${option}: ${reason} (got ${String(value)})`, { option, value: String(value) });
    this.option = option;
  }
}

/** Redis answered a limiter or circuit script with something the code does not understand. */
export class LimiterProtocolError extends ByteairSyncError {
  readonly code = 'LIMITER_PROTOCOL';
}
