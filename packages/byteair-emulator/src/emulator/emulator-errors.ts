import { ByteairSyncError } from 'byteair-sync/internal/src/errors/byteair-sync-error.js';

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

/**
 * A body worker thread failed while judging a request body (it threw, crashed or exited);
 * that request is answered with HTTP 500 and a fresh thread takes the worker's place.
 */
export class BodyWorkerError extends ByteairSyncError {
  readonly code = 'EMULATOR_BODY_WORKER_FAILED';

  constructor(reason: string, cause?: unknown) {
    super(`emulator body worker failed: ${reason}`, { reason }, { cause });
  }
}
