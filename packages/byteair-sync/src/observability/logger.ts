import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stderr. Paths that could carry a credential are redacted on top of the
 * Secret wrapper, in case a raw header or option object is ever logged.
 */
export const REDACT_PATHS = [
  'sk',
  'token',
  'password',
  '*.sk',
  '*.token',
  '*.password',
  'headers.authorization',
  'headers.Authorization',
  'headers["tenant-signature"]',
  'headers["Tenant-Signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: string, name: string): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: 2, sync: false }),
  );
}

/** A logger that prints nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
