import type { Config } from '../src/config/config.js';
import type { Secret } from '../src/config/secret.js';
import { tokensMatch } from '../src/http/bearer-auth.js';

export interface DashboardCredentials {
  readonly user: string;
  readonly password: Secret;
}

/** The login, when BYTEAIR_DASHBOARD_USER and BYTEAIR_DASHBOARD_PASSWORD are set (the config sets both or neither). */
export function credentialsOf(config: Config): DashboardCredentials | undefined {
  const { user, password } = config.dashboard;
  return user === undefined || password === undefined ? undefined : { user, password };
}

/**
 * Both halves are compared, in constant time, whatever the first one gave: answering faster
 * for a wrong user name would tell an attacker which user names exist.
 */
export function credentialsMatch(given: { readonly user: string; readonly password: string }, expected: DashboardCredentials): boolean {
  const userOk = tokensMatch(given.user, expected.user);
  const passwordOk = tokensMatch(given.password, expected.password.reveal());
  return userOk && passwordOk;
}

/** `Authorization: Basic base64(user:password)`, for Prometheus scraping /metrics; undefined when absent or malformed. */
export function basicCredentialsOf(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
