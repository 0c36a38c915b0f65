import type { Clock } from '../clock.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { parseDataDate } from './sync-target.js';

/**
 * A non-empty list of data dates (each checked like parseDataDate), each at most once: the
 * same day written twice (`20220101`, `2022-01-01`) is a mistake, not a request.
 */
export function parseDataDates(values: readonly unknown[], zone: string, clock: Clock, field = 'dates'): string[] {
  if (values.length === 0) throw new InvalidInputError(field, values, 'needs at least one date, as YYYY-MM-DD');
  const dates: string[] = [];
  for (const value of values) {
    const date = parseDataDate(value, zone, clock, field);
    if (dates.includes(date)) throw new InvalidInputError(field, value, `lists ${date} twice`);
    dates.push(date);
  }
  return dates;
}
