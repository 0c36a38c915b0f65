import { InvalidInputError } from '../errors/invalid-input-error.js';

/**
 * A caller-chosen Request-Id. The API sets no format but asks for short ids; it travels as an
 * HTTP header, so only visible ASCII without spaces is accepted.
 */
export function parseRequestId(value: unknown, field = 'requestId'): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(value)) {
    throw new InvalidInputError(field, value, 'must be 1-128 visible ASCII characters without spaces');
  }
  return value;
}
