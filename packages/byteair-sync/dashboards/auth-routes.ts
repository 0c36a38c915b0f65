import express, { type Request, type RequestHandler, type Router } from 'express';
import type { BlockList } from 'node:net';
import type { Logger } from '../src/observability/logger.js';
import { basicCredentialsOf, credentialsMatch, type DashboardCredentials } from './credentials.js';
import { LoginRequiredError } from './dashboard-errors.js';
import { clientAddressOf } from './client-address.js';
import { renderLoginPage, renderLogoutPage, safeNextPath } from './login-page.js';
import type { LoginThrottle } from './login-throttle.js';
import { clearSessionCookie, cookieValue, SESSION_COOKIE, setSessionCookie } from './session-cookie.js';
import type { Session, SessionTokens } from './session-tokens.js';
import type { UserNameThrottle } from './user-name-throttle.js';

export interface DashboardAuthOptions {
  /** Undefined = no login configured (the server allows that on loopback only). */
  readonly credentials: DashboardCredentials | undefined;
  readonly tokens: SessionTokens;
  readonly sessionTtlMs: number;
  readonly throttles: LoginThrottles;
  /** Peers whose X-Forwarded-For names the client (BYTEAIR_DASHBOARD_TRUSTED_PROXIES). */
  readonly trustedProxies: BlockList;
  readonly logger: Logger;
}

/**
 * Both throttles see every login (form and Basic): the per-address one stops one client
 * guessing fast, the per-user-name one stops many clients guessing one account together.
 */
export interface LoginThrottles {
  readonly address: LoginThrottle;
  readonly userName: UserNameThrottle;
}

/** GET endpoints that machines read (Prometheus, scripts): they also take HTTP Basic with the dashboard login. */
const BASIC_AUTH_PATHS = new Set(['/metrics', '/api/status']);

/** Paths whose clients want JSON or text, never a redirect to an HTML form. */
function isMachinePath(path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/board/api/') || path === '/metrics';
}

function clientOf(req: Request, trustedProxies: BlockList): string {
  // Node joins repeated X-Forwarded-For headers into one string; the type allows a list anyway.
  const forwarded = req.headers['x-forwarded-for'];
  return clientAddressOf(req.socket.remoteAddress, Array.isArray(forwarded) ? forwarded.join(', ') : forwarded, trustedProxies);
}

/** How long this attempt must wait, ms (0 = check it): the longer of the two throttles. */
function waitMsOf(throttles: LoginThrottles, client: string, user: string): number {
  return Math.max(throttles.address.retryAfterMs(client), throttles.userName.retryAfterMs(user));
}

function recordFailure(throttles: LoginThrottles, client: string, user: string): void {
  throttles.address.failed(client);
  throttles.userName.failed(user);
}

function recordSuccess(throttles: LoginThrottles, client: string, user: string): void {
  throttles.address.succeeded(client);
  throttles.userName.succeeded(user);
}

function sessionOf(req: Request, tokens: SessionTokens): Session | null {
  return tokens.verify(cookieValue(req, SESSION_COOKIE));
}

/** /login and /logout (GET shows a form, POST acts). */
export function createAuthRouter(options: DashboardAuthOptions): Router {
  const { credentials, tokens, throttles, trustedProxies, logger } = options;
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.get('/login', (req, res) => {
    const next = safeNextPath(req.query.next);
    if (credentials === undefined || sessionOf(req, tokens) !== null) {
      res.redirect(303, next);
      return;
    }
    res.type('html').send(renderLoginPage({ next }));
  });

  router.post('/login', form, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNextPath(body.next);
    if (credentials === undefined) {
      res.redirect(303, next);
      return;
    }
    const client = clientOf(req, trustedProxies);
    const user = typeof body.user === 'string' ? body.user : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const waitMs = waitMsOf(throttles, client, user);
    if (waitMs > 0) {
      // Not checked, so not counted either: waiting out a delay must not lengthen it. One
      // wording for both throttles, and any user name is delayed alike, so the answer tells
      // nothing about which names exist.
      res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      res
        .status(429)
        .type('html')
        .send(renderLoginPage({ next, error: `Too many failed logins; try again in ${Math.ceil(waitMs / 1000)} s.` }));
      return;
    }
    if (!credentialsMatch({ user, password }, credentials)) {
      recordFailure(throttles, client, user);
      // The attempted user name is not logged: people type passwords into it.
      logger.warn({ client }, 'failed dashboard login');
      res
        .status(401)
        .type('html')
        .send(renderLoginPage({ next, error: 'Wrong user or password.' }));
      return;
    }
    recordSuccess(throttles, client, user);
    const { token } = tokens.issue(user);
    setSessionCookie(req, res, token, options.sessionTtlMs);
    logger.info({ client, user }, 'dashboard login');
    res.redirect(303, next);
  });

  router.get('/logout', (_req, res) => {
    if (credentials === undefined) {
      res.redirect(303, '/status');
      return;
    }
    res.type('html').send(renderLogoutPage());
  });

  router.post('/logout', (req, res) => {
    const session = sessionOf(req, tokens);
    if (session !== null) {
      tokens.revoke(session);
      logger.info({ client: clientOf(req, trustedProxies), user: session.user }, 'dashboard logout');
    }
    clearSessionCookie(req, res);
    res.redirect(303, credentials === undefined ? '/status' : '/login');
  });

  return router;
}

/**
 * Everything mounted after this needs a session (or, for the machine GET endpoints, HTTP
 * Basic with the same login). Browsers asking for a page are sent to the login form; API
 * clients get 401.
 */
export function requireSession(options: DashboardAuthOptions): RequestHandler {
  const { credentials, tokens, throttles, trustedProxies } = options;
  return (req, res, next) => {
    if (credentials === undefined || sessionOf(req, tokens) !== null) {
      next();
      return;
    }
    const basicAllowed = req.method === 'GET' && BASIC_AUTH_PATHS.has(req.path);
    const basic = basicAllowed ? basicCredentialsOf(req.headers.authorization) : undefined;
    if (basic !== undefined) {
      const client = clientOf(req, trustedProxies);
      if (waitMsOf(throttles, client, basic.user) > 0) {
        // A client that keeps sending while its address is throttled stays throttled; the
        // user name's delay only grows with guesses actually checked (as on the form).
        throttles.address.failed(client);
      } else if (credentialsMatch(basic, credentials)) {
        recordSuccess(throttles, client, basic.user);
        next();
        return;
      } else {
        recordFailure(throttles, client, basic.user);
      }
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && !isMachinePath(req.path)) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (basicAllowed) res.setHeader('WWW-Authenticate', 'Basic realm="byteair-sync dashboard", charset="UTF-8"');
    next(new LoginRequiredError());
  };
}
