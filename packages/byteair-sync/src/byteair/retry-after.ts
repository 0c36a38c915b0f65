/**
 * Parses a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Pure: `now` is passed in. Returns milliseconds to wait, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
