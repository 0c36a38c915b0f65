import { isIP } from 'node:net';
import { IANAZone } from 'luxon';
import { parseTimeOfDay, type TimeOfDay } from '../freshness/time-of-day.js';

/** A setting parser returns the parsed value or throws a plain Error whose message is the reason. */
export type Parser<T> = (raw: string) => T;

export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    const text = raw.trim().replace(/_/g, '');
    if (!/^-?\d+$/.test(text)) throw new Error(`must be a whole number between ${min} and ${max}`);
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`must be a whole number between ${min} and ${max}`);
    }
    return value;
  };
}

export function oneOf<const T extends string>(choices: readonly T[]): Parser<T> {
  return (raw) => {
    const value = raw.trim();
    if (!(choices as readonly string[]).includes(value)) throw new Error(`must be one of ${choices.join(', ')}`);
    return value as T;
  };
}

export const boolean: Parser<boolean> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new Error('must be true or false');
};

export function list<T>(item: Parser<T>, { allowEmpty }: { allowEmpty: boolean }): Parser<readonly T[]> {
  return (raw) => {
    const parts = raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
    if (parts.length === 0 && !allowEmpty) throw new Error('must list at least one value (comma separated)');
    return Object.freeze(parts.map((part) => item(part)));
  };
}

export const nonEmpty: Parser<string> = (raw) => {
  const value = raw.trim();
  if (value.length === 0) throw new Error('must not be empty');
  return value;
};

export const digits: Parser<string> = (raw) => {
  const value = raw.trim();
  if (!/^\d{1,20}$/.test(value)) throw new Error('must be a numeric id (digits only)');
  return value;
};

/** host or host:port, no scheme, no path: the scheme comes from BYTEAIR_SCHEME. */
export const hostPort: Parser<string> = (raw) => {
  const value = raw.trim();
  const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::(\d{1,5}))?$/.exec(value);
  if (match === null) throw new Error('each host must be host or host:port, without scheme or path');
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) throw new Error('port must be 1-65535');
  return value;
};

export const redisUrl: Parser<string> = (raw) => {
  const value = raw.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('must be a URL like redis://127.0.0.1:6379');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('must start with redis:// or rediss://');
  return value;
};

export const timeZone: Parser<string> = (raw) => {
  const value = raw.trim();
  if (!IANAZone.isValidZone(value)) throw new Error('must be an IANA time zone such as Asia/Shanghai or UTC');
  return value;
};

/** The key-prefix hash tag: every key lives under `{prefix}` so Redis Cluster keeps them in one slot. */
export const hashTag: Parser<string> = (raw) => {
  const value = raw.trim();
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value)) throw new Error('must be 1-64 characters of A-Z a-z 0-9 _ . -');
  return value;
};

export const topicName: Parser<string> = (raw) => {
  const value = raw.trim();
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(value)) throw new Error(`topic "${value}" must be lowercase letters, digits or _`);
  return value;
};

/**
 * An IP address or a CIDR block, IPv4 or IPv6 (`10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`).
 * Zone ids (`fe80::1%eth0`) are refused: X-Forwarded-For never carries them, so such an entry
 * could only be a mistake.
 */
export const ipOrCidr: Parser<string> = (raw) => {
  const value = raw.trim();
  const bad = new Error(`"${value}" is not an IP address or CIDR block (such as 10.0.0.5, 10.0.0.0/8, ::1 or fd00::/8)`);
  const match = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(value);
  const address = match?.[1];
  if (address === undefined || address.includes('%')) throw bad;
  const family = isIP(address);
  if (family === 0) throw bad;
  const prefix = match?.[2];
  if (prefix !== undefined && Number(prefix) > (family === 4 ? 32 : 128)) throw bad;
  return value;
};

/** BYTEAIR_DAILY_DONE_BY: a time for every daily topic and per-topic exceptions. */
export interface DailyDoneBySetting {
  /** The time for topics not named; null = off, undefined = the setting's default time. */
  readonly all: TimeOfDay | null | undefined;
  readonly topics: ReadonlyArray<{ readonly topic: string; readonly doneBy: TimeOfDay | null }>;
}

/** `06:00`, `off`, `06:00,item=08:30,behavior=off`: at most one bare entry, each topic once. */
export const dailyDoneBy: Parser<DailyDoneBySetting> = (raw) => {
  const timeOrOff = (text: string): TimeOfDay | null => (text.trim().toLowerCase() === 'off' ? null : parseTimeOfDay(text));
  let all: TimeOfDay | null | undefined;
  const topics: Array<{ topic: string; doneBy: TimeOfDay | null }> = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)) {
    const eq = part.indexOf('=');
    if (eq === -1) {
      if (all !== undefined) throw new Error(`has two times for every topic ("${part}"); name the topic of an exception as topic=HH:MM`);
      all = timeOrOff(part);
      continue;
    }
    const topic = topicName(part.slice(0, eq));
    if (topics.some((t) => t.topic === topic)) throw new Error(`names topic "${topic}" twice`);
    topics.push({ topic, doneBy: timeOrOff(part.slice(eq + 1)) });
  }
  if (all === undefined && topics.length === 0) throw new Error('must be HH:MM, off, or a list such as 06:00,item=08:30,behavior=off');
  return { all, topics };
};
