import type { RequestHandler } from 'express';
import { CrossOriginRequestError, HostNotAllowedError } from './dashboard-errors.js';
import { hostnameOf, isLoopbackHost } from './listen-policy.js';

/** Bull Board's page carries inline style attributes and a <style> block; only its pages get 'unsafe-inline' styles. */
const BOARD_PATH = '/board';

function contentSecurityPolicy(path: string): string {
  const styles = path === BOARD_PATH || path.startsWith(`${BOARD_PATH}/`) ? "'self' 'unsafe-inline'" : "'self'";
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src ${styles}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * On every response: no framing (clickjacking), no MIME sniffing, a CSP without inline
 * scripts, and no caching: pages and API answers show live queue state and are only for the
 * logged-in user. Bull Board's static bundle overrides Cache-Control itself.
 */
export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.path));
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for every state-changing request (login, logout, Bull Board's PUT/POST/PATCH
 * actions): browsers name the page that sent a request in Origin (all non-GET fetches and
 * form posts) or at least Referer, so a request must name this very host. A page on another
 * site cannot forge either header. The cookie is SameSite=Strict on top of this.
 */
export function sameOriginWrites(): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const host = req.headers.host;
    const source = req.headers.origin ?? req.headers.referer;
    next(host !== undefined && source !== undefined && hostOfUrl(source) === host.toLowerCase() ? undefined : new CrossOriginRequestError(req.method));
  };
}

function hostOfUrl(value: string): string | undefined {
  try {
    return new URL(value).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Without a login the dashboard trusts "whoever can reach loopback". A DNS-rebinding page
 * (evil.example resolving to 127.0.0.1) reaches loopback too, but its requests still say
 * `Host: evil.example`; only loopback names are answered.
 */
export function loopbackHostOnly(): RequestHandler {
  return (req, _res, next) => {
    const host = req.headers.host;
    next(host !== undefined && isLoopbackHost(hostnameOf(host)) ? undefined : new HostNotAllowedError());
  };
}
