import { ByteairSyncError } from '../errors/byteair-sync-error.js';

/** Exit codes of the CLI: 0 ok, 1 the operation failed, 2 bad input or configuration, 3 partly applied. */
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
/** The API took the call but refused some records (status 1001): a script must notice. */
export const EXIT_PARTIAL = 3;

/**
 * The exit-code contract of every command, for --help texts (docs/cli.md repeats it): scripts
 * tell "fix your input" (2) from "try again later / look at the system" (1).
 */
export const EXIT_CODES_HELP = `Exit codes: 0 done; 1 the operation failed (Redis unreachable, batch closed,
intake full, ...); 2 bad input or configuration (the message names the flag, file
line or setting). Errors are one line on stderr: "byteair-sync: CODE: message".`;

const BAD_INPUT_CODES = new Set(['INVALID_INPUT', 'CONFIG_INVALID']);

/**
 * Wraps a command's action: any error becomes one line on stderr naming what went wrong
 * (never a stack trace for expected errors) and a non-zero exit code.
 */
export function runAction<A extends unknown[]>(action: (...args: A) => Promise<number | undefined>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await action(...args);
      process.exitCode = code ?? 0;
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

export function reportError(error: unknown): number {
  if (error instanceof ByteairSyncError) {
    process.stderr.write(`byteair-sync: ${error.code}: ${error.message}\n`);
    return BAD_INPUT_CODES.has(error.code) ? EXIT_BAD_INPUT : EXIT_FAILURE;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`byteair-sync: unexpected error: ${message}\n`);
  return EXIT_FAILURE;
}
