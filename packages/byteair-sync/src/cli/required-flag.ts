import { InvalidInputError } from '../errors/invalid-input-error.js';

/**
 * Required flags are checked here rather than by commander's requiredOption, so a missing
 * flag is INVALID_INPUT (exit 2, one line naming the flag) like every other bad input.
 */
export function requiredFlag(value: string | undefined, flag: string, what: string): string {
  if (value === undefined || value.trim() === '') throw new InvalidInputError(flag, value, `is required: ${what}`);
  return value;
}
