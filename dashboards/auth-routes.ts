import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Logger } from '../src/observability/logger.js';
import { basicCredentialsOf, credentialsMatch, type DashboardCredentials } from './credentials.js';
import { LoginRequiredError } from './dashboard-errors.js';
import { renderLoginPage, renderLogoutPage, safeNextPath } from './login-page.js';
import type { LoginThrottle } from './login-throttle.js';
import { clearSessionCookie, cookieValue, SESSION_COOKIE, setSessionCookie } from './session-cookie.js';
import type { Session, SessionTokens } from './session-tokens.js';

export interface DashboardAuthOptions {
  /** Undefined = no login configured (the server allows that on loopback only). */
  readonly credentials: DashboardCredentials | undefined;
  readonly tokens: SessionTokens;
  readonly sessionTtlMs: number;
  readonly throttle: LoginThrottle;
  readonly logger: Logger;
}

/** GET endpoints that machines read (Prometheus, scripts): they also take HTTP Basic with the dashboard login. */
const BASIC_AUTH_PATHS = new Set(['/metrics', '/api/status']);

/** Paths whose clients want JSON or text, never a redirect to an HTML form. */
function isMachinePath(path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/board/api/') || path === '/metrics';
}

function clientOf(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function sessionOf(req: Request, tokens: SessionTokens): Session | null {
  return tokens.verify(cookieValue(req, SESSION_COOKIE));
}

/** /login and /logout (GET shows a form, POST acts). */
export function createAuthRouter(options: DashboardAuthOptions): Router {
  const { credentials, tokens, throttle, logger } = options;
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
    const client = clientOf(req);
    const waitMs = throttle.retryAfterMs(client);
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      res.status(429).type('html').send(renderLoginPage({ next, error: `Too many failed logins; try again in ${Math.ceil(waitMs / 1000)} s.` }));
      return;
    }
    const user = typeof body.user === 'string' ? body.user : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!credentialsMatch({ user, password }, credentials)) {
      throttle.failed(client);
      // The attempted user name is not logged: people type passwords into it.
      logger.warn({ client }, 'failed dashboard login');
      res.status(401).type('html').send(renderLoginPage({ next, error: 'Wrong user or password.' }));
      return;
    }
    throttle.succeeded(client);
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
      logger.info({ client: clientOf(req), user: session.user }, 'dashboard logout');
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
  const { credentials, tokens, throttle } = options;
  return (req, res, next) => {
    if (credentials === undefined || sessionOf(req, tokens) !== null) {
      next();
      return;
    }
    const basicAllowed = req.method === 'GET' && BASIC_AUTH_PATHS.has(req.path);
    const basic = basicAllowed ? basicCredentialsOf(req.headers.authorization) : undefined;
    if (basic !== undefined) {
      const client = clientOf(req);
      if (throttle.retryAfterMs(client) === 0 && credentialsMatch(basic, credentials)) {
        next();
        return;
      }
      throttle.failed(client);
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && !isMachinePath(req.path)) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (basicAllowed) res.setHeader('WWW-Authenticate', 'Basic realm="byteair-sync dashboard", charset="UTF-8"');
    next(new LoginRequiredError());
  };
}
