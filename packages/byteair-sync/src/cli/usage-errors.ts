import type { Command } from 'commander';
import { EXIT_BAD_INPUT } from './run-action.js';

/**
 * Commander exits 1 on a usage error (unknown option, option without its value); the
 * command line's contract is 2 for bad input, so scripts can tell it from a failed call.
 * Commander has already printed its one-line message when this runs.
 */
export function exitBadInputOnUsageErrors(command: Command): Command {
  return command.exitOverride((error) => {
    if (error.exitCode !== 0) process.exit(EXIT_BAD_INPUT);
  });
}
