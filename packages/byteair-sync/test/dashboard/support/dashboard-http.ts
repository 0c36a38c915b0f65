import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { SESSION_COOKIE } from '../../../dashboards/session-cookie.js';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** Set-Cookie lines, as sent. */
  readonly setCookies: readonly string[];
}

export interface Call {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** `name=value` of the session cookie (see sessionCookieOf). */
  readonly cookie?: string;
  /**
   * The Origin header: by default the dashboard's own origin on a non-GET, as a browser sends
   * it; null sends none, a string sends that.
   */
  readonly origin?: string | null;
  readonly body?: string;
}

/**
 * One request on its own connection (no agent, so nothing stays open after the answer).
 * Raw node:http rather than fetch: the tests set Host, Origin and Cookie, which fetch forbids
 * or manages itself, and read 303s without following them.
 */
export function call(baseUrl: string, path: string, options: Call = {}): Promise<Reply> {
  const url = new URL(path, baseUrl);
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = {};
  const origin = options.origin === undefined ? (method === 'GET' || method === 'HEAD' ? null : new URL(baseUrl).origin) : options.origin;
  if (origin !== null) headers.origin = origin;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  Object.assign(headers, options.headers);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'] ?? [];
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8'), setCookies: setCookie });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The parsed JSON body; throws with the text when it is not JSON. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape of the answer it reads
export function jsonOf<T = Record<string, unknown>>(reply: Reply): T {
  try {
    return JSON.parse(reply.text) as T;
  } catch {
    throw new Error(`expected JSON, got ${reply.status}: ${reply.text.slice(0, 300)}`);
  }
}

export function formBody(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(fields).toString();
}

export const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

/** `byteair_dashboard=<token>` from a login answer, ready for a Cookie header. */
export function sessionCookieOf(reply: Reply): string | undefined {
  const line = reply.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return line?.split(';')[0];
}

/** Posts the login form as a browser would and returns the session cookie. */
export async function logIn(baseUrl: string, user: string, password: string): Promise<string> {
  const reply = await call(baseUrl, '/login', { method: 'POST', headers: FORM_TYPE, body: formBody({ user, password }) });
  const cookie = sessionCookieOf(reply);
  if (reply.status !== 303 || cookie === undefined) throw new Error(`login failed: ${reply.status} ${reply.text.slice(0, 200)}`);
  return cookie;
}

export function basicAuth(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
