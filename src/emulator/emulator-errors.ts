import { ByteairSyncError } from '../errors/byteair-sync-error.js';

/** The emulator could not listen on its host and port (in use, not permitted, no such address). */
export class EmulatorListenError extends ByteairSyncError {
  readonly code = 'EMULATOR_LISTEN_FAILED';

  constructor(host: string, port: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`emulator cannot listen on ${host}:${port}: ${reason}`, { host, port }, { cause });
  }
}

/** A run-time control (outage, storm, faults) was used after close(). */
export class EmulatorClosedError extends ByteairSyncError {
  readonly code = 'EMULATOR_CLOSED';

  constructor(what: string) {
    super(`emulator is closed: cannot ${what}`, { what });
  }
}
