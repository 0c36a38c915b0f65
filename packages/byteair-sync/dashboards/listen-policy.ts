import { isIP } from 'node:net';
import { ConfigError } from '../src/config/config-error.js';
import { SETTINGS } from '../src/config/settings.js';

/** Whether an address (or host name) only ever reaches this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) === 6) return lower === '::1' || lower.startsWith('::ffff:127.');
  return false;
}

/**
 * The dashboard shows every queue and job id and, unless read-only, can retry and pause: as
 * much power as the Redis password. So it serves without a login only where nobody but this
 * machine can reach it.
 */
export function assertListenAllowed(host: string, hasCredentials: boolean): void {
  if (hasCredentials || isLoopbackHost(host)) return;
  throw new ConfigError(
    SETTINGS.dashboardHost.key,
    JSON.stringify(host),
    `is not a loopback address and ${SETTINGS.dashboardUser.key} / ${SETTINGS.dashboardPassword.key} are not set; the dashboard refuses to serve other machines without a login: set both, or listen on 127.0.0.1`,
    'listen address',
  );
}

/** The host part of a Host header (`name:port`, `[v6]:port`). */
export function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return end < 0 ? hostHeader : hostHeader.slice(0, end + 1);
  }
  const colon = hostHeader.lastIndexOf(':');
  return colon < 0 ? hostHeader : hostHeader.slice(0, colon);
}
