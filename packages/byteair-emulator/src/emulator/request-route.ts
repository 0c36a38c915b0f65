/** Path prefix of the emulator's own endpoints; the real API has nothing under it. */
export const ADMIN_PREFIX = '/__emulator/';

/** Where a request goes, read from its path and query exactly as sent. */
export type Route =
  | { readonly kind: 'write'; readonly applicationId: string; readonly topic: string; readonly stage: string | undefined }
  | { readonly kind: 'done'; readonly applicationId: string; readonly topic: string | undefined; readonly stage: string | undefined }
  /** The SDK metrics sink (`metrics.init(domain)`), answered 200 so a demo may point it here. */
  | { readonly kind: 'metrics' }
  | { readonly kind: 'admin'; readonly action: string }
  | { readonly kind: 'not-found' };

export interface SplitUrl {
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Splits a request target into its path and query pairs. The SDKs do not URL-encode query
 * values, so `+` stays `+` (URLSearchParams would turn it into a space and break signatures).
 */
export function splitUrl(target: string): SplitUrl {
  const at = target.indexOf('?');
  const path = at === -1 ? target : target.slice(0, at);
  const queryText = at === -1 ? '' : target.slice(at + 1);
  const query: Array<[string, string]> = [];
  for (const part of queryText.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    query.push(eq === -1 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))]);
  }
  return { path, query };
}

export function queryValue(query: ReadonlyArray<readonly [string, string]>, key: string): string | undefined {
  return query.find(([k]) => k === key)?.[1];
}

/**
 * `/data/api/{application_id}/{topic}?method=write&stage=...` and
 * `/data/api/{application_id}/done?topic=...&stage=...` (protocol §1). Anything else under
 * /data/api (import, operation) is not emulated and answers 404.
 */
export function routeOf(url: SplitUrl): Route {
  if (url.path.startsWith(ADMIN_PREFIX)) return { kind: 'admin', action: url.path.slice(ADMIN_PREFIX.length) };
  if (url.path === '/api/counter' || url.path === '/api/put') return { kind: 'metrics' };
  const m = /^\/data\/api\/([^/]+)\/([^/]+)\/?$/.exec(url.path);
  if (m === null) return { kind: 'not-found' };
  const applicationId = decode(m[1] as string);
  const segment = decode(m[2] as string);
  const stage = queryValue(url.query, 'stage');
  if (segment === 'done') return { kind: 'done', applicationId, topic: queryValue(url.query, 'topic'), stage };
  if (segment === 'operation' || queryValue(url.query, 'method') !== 'write') return { kind: 'not-found' };
  return { kind: 'write', applicationId, topic: segment, stage };
}
