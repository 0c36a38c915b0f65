import { DateTime } from 'luxon';

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function validDay(isoDate: string): boolean {
  return DateTime.fromISO(isoDate, { zone: 'UTC' }).isValid;
}

/**
 * The data date of a `Content-Date` header as `YYYY-MM-DD`, or undefined when the server
 * would refuse it. Accepted: `20060102`, `2006-01-02` and RFC3339 (protocol §2). For RFC3339
 * the date is taken as written, in the offset the client wrote it in.
 */
export function parseContentDate(value: string): string | undefined {
  const text = value.trim();
  let date: string | undefined;
  if (/^\d{8}$/.test(text)) date = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) date = text;
  else {
    const m = RFC3339.exec(text);
    if (m === null || !DateTime.fromISO(text.replace(' ', 'T'), { setZone: true }).isValid) return undefined;
    date = m[1];
  }
  return date !== undefined && validDay(date) ? date : undefined;
}

/** A DoneRequest `partition_date` (JSON form): strictly `YYYYMMDD`. */
export function parsePartitionDate(value: string): string | undefined {
  if (!/^\d{8}$/.test(value)) return undefined;
  const date = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  return validDay(date) ? date : undefined;
}

/** A protobuf Date as `YYYY-MM-DD`, or undefined when it names no real day. */
export function protoDateToIso(date: { year: number; month: number; day: number }): string | undefined {
  const d = DateTime.fromObject({ year: date.year, month: date.month, day: date.day }, { zone: 'UTC' });
  return d.isValid && date.year >= 1 && date.year <= 9999 ? (d.toISODate() ?? undefined) : undefined;
}

/** "The previous day" an empty Done closes, in the given zone. Pure: `now` is passed in. */
export function previousDay(now: number, zone: string): string {
  return DateTime.fromMillis(now, { zone }).minus({ days: 1 }).toISODate() ?? '';
}
