import { ByteairSyncError } from '../src/errors/byteair-sync-error.js';

/**
 * Refusals of the dashboard's HTTP layer. Each maps to one status (dashboard-app.ts answers
 * them as JSON `{error: {code, message}}`); none repeats a credential or a cookie.
 */
export abstract class DashboardRequestError extends ByteairSyncError {
  abstract readonly status: number;
  /** Headers the status calls for (Allow on a 405 of a whole mode); none by default. */
  readonly headers: Readonly<Record<string, string>> = {};
}

export class LoginRequiredError extends DashboardRequestError {
  readonly code = 'LOGIN_REQUIRED';
  readonly status = 401;
  constructor() {
    super('log in first (POST /login), or send HTTP Basic credentials to /metrics and /api/status');
  }
}

export class CrossOriginRequestError extends DashboardRequestError {
  readonly code = 'CROSS_ORIGIN_REFUSED';
  readonly status = 403;
  constructor(method: string) {
    super(`a ${method} must come from a page of this dashboard (its Origin or Referer header must name this host)`, { method });
  }
}

export class HostNotAllowedError extends DashboardRequestError {
  readonly code = 'HOST_NOT_ALLOWED';
  readonly status = 421;
  constructor() {
    super('without a login the dashboard answers only requests addressed to a loopback name (127.0.0.1, localhost, [::1])');
  }
}

export class LoginThrottledError extends DashboardRequestError {
  readonly code = 'LOGIN_THROTTLED';
  readonly status = 429;
  constructor(readonly retryAfterMs: number) {
    super(`too many failed logins; try again in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
  }
}

export class BoardActionDisabledError extends DashboardRequestError {
  readonly code = 'BOARD_ACTION_DISABLED';
  readonly status = 405;
  constructor(action: string) {
    super(
      `${action} is disabled on this dashboard: it would lose chunks, let unvalidated data into the queue or override the limiter and circuit breaker (see docs/dashboard.md; use byteair-sync replay / pause instead)`,
      { action },
    );
  }
}

/** Longest stretch of a request path repeated in an answer: enough to recognise it, not a megabyte echoed back. */
const MAX_QUOTED_PATH = 200;

export class BoardReadOnlyError extends DashboardRequestError {
  readonly code = 'BOARD_READ_ONLY';
  readonly status = 405;
  override readonly headers = { Allow: 'GET, HEAD' };
  constructor(method: string, path: string) {
    const route = `${method} ${path.slice(0, MAX_QUOTED_PATH)}`;
    super(
      `${route} would change a queue or a job, and this board is read-only (BYTEAIR_DASHBOARD_READ_ONLY=true): it only answers GET and HEAD. Use byteair-sync pause / resume / replay instead`,
      { route },
    );
  }
}

export class PageNotFoundError extends DashboardRequestError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
  constructor() {
    super('no such page on the dashboard');
  }
}
