/** A wall-clock time in the data time zone (BYTEAIR_DATE_ZONE), such as 06:00. */
export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

/** `HH:MM`, 00:00 to 23:59; throws a plain Error whose message is the reason (a setting parser). */
export function parseTimeOfDay(raw: string): TimeOfDay {
  const match = /^(\d{1,2}):(\d{2})$/.exec(raw.trim());
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  if (match === null || hour > 23 || minute > 59) throw new Error(`"${raw.trim()}" is not a time of day HH:MM (00:00 to 23:59)`);
  return Object.freeze({ hour, minute });
}

export function formatTimeOfDay(time: TimeOfDay): string {
  return `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
}
