import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import type { Registry } from 'prom-client';
import type { LimiterUsage } from '../src/limiter/rate-limiter.js';
import type { Logger } from '../src/observability/logger.js';
import type { SyncOperations } from '../src/operations/sync-operations.js';
import type { SyncQueues } from '../src/queue/sync-enqueuer.js';
import { createAuthRouter, requireSession, type DashboardAuthOptions } from './auth-routes.js';
import { BOARD_BASE_PATH, createBoardRouter, disabledBoardActions } from './bull-board.js';
import { readOnlyBoard } from './read-only-board.js';
import { DASHBOARD_CSS } from './dashboard-css.js';
import { DashboardRequestError, PageNotFoundError } from './dashboard-errors.js';
import { loopbackHostOnly, sameOriginWrites, securityHeaders } from './request-guards.js';
import { renderStatusPage, type StatusPageOptions } from './status-page.js';

export interface DashboardAppDeps {
  readonly operations: Pick<SyncOperations, 'status'>;
  readonly queues: SyncQueues;
  readonly readOnly: boolean;
  readonly auth: DashboardAuthOptions;
  readonly limiterSamples: () => LimiterUsage[];
  readonly metrics: Registry;
  /** Whether Redis answers now (for /healthz and to tell an outage from a bug). */
  readonly redisReady: () => boolean;
  readonly statusPage: Omit<StatusPageOptions, 'authEnabled' | 'readOnly'>;
  readonly logger: Logger;
}

/**
 * The dashboard's routes, in the order they guard each other: headers on everything, the
 * loopback Host check when there is no login, /healthz open, the CSRF check before any
 * state change, the login pages, then the session wall in front of everything else.
 */
export function createDashboardApp(deps: DashboardAppDeps): Express {
  const authEnabled = deps.auth.credentials !== undefined;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders());
  if (!authEnabled) app.use(loopbackHostOnly());

  app.get('/healthz', (_req, res) => {
    const ready = deps.redisReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'redis-unavailable' });
  });
  app.get('/assets/dashboard.css', (_req, res) => {
    res.type('css').send(DASHBOARD_CSS);
  });
  app.use(sameOriginWrites());
  app.use(createAuthRouter(deps.auth));
  app.use(requireSession(deps.auth));

  app.get('/', (_req, res) => res.redirect(303, '/status'));
  app.get('/status', async (_req, res) => {
    const status = await deps.operations.status();
    res.type('html').send(renderStatusPage(status, deps.limiterSamples(), { ...deps.statusPage, authEnabled, readOnly: deps.readOnly }));
  });
  app.get('/api/status', async (_req, res) => {
    res.json(await deps.operations.status());
  });
  app.get('/api/limiter-history', (_req, res) => {
    res.json({ samples: deps.limiterSamples() });
  });
  app.get('/metrics', async (_req, res) => {
    const text = await deps.metrics.metrics();
    res.setHeader('Content-Type', deps.metrics.contentType);
    res.send(text);
  });
  // Read-only first: on such a board every write has one answer, whatever else would refuse it.
  const boardGuards = deps.readOnly ? [readOnlyBoard(), disabledBoardActions()] : [disabledBoardActions()];
  app.use(BOARD_BASE_PATH, ...boardGuards, createBoardRouter({ queues: deps.queues, readOnly: deps.readOnly, authEnabled }));

  app.use((_req, _res, next) => next(new PageNotFoundError()));
  app.use(errorHandler(deps));
  return app;
}

function wantsHtml(req: Request): boolean {
  return !req.path.startsWith('/api/') && !req.path.startsWith(`${BOARD_BASE_PATH}/api/`) && req.accepts(['json', 'html']) === 'html';
}

/** Known refusals answer with their status and code; anything else is 503 during a Redis outage, else 500, never with a stack. */
function errorHandler(deps: DashboardAppDeps): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let status: number;
    let code: string;
    let message: string;
    let headers: Readonly<Record<string, string>> = {};
    if (error instanceof DashboardRequestError) {
      ({ status, code, message, headers } = error);
    } else if (!deps.redisReady()) {
      [status, code, message] = [503, 'REDIS_UNAVAILABLE', 'Redis does not answer; the dashboard shows data again once it does'];
    } else {
      const httpStatus = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
      [status, code, message] =
        httpStatus >= 400 && httpStatus < 500
          ? [httpStatus, 'BAD_REQUEST', 'the request could not be read']
          : [500, 'INTERNAL', 'the dashboard failed to answer; see its log'];
      if (status === 500) deps.logger.error({ err: error, path: req.path }, 'dashboard request failed');
    }
    if (res.headersSent) return;
    res.set(headers);
    if (wantsHtml(req)) res.status(status).type('text').send(`${status} ${code}: ${message}\n`);
    else res.status(status).json({ error: { code, message }, message });
  };
}
