import type { RequestHandler } from 'express';
import { BoardReadOnlyError } from './dashboard-errors.js';

/** What a read-only board answers: reading the queues, their jobs, logs and counts. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Mount at BOARD_BASE_PATH before the board when BYTEAIR_DASHBOARD_READ_ONLY=true. Bull
 * Board's `readOnlyMode` is checked per queue, so the routes that act on all queues at once
 * ("pause all", "resume all") skip the read-only queues and answer 200 having done nothing,
 * and each new Bull Board release may bring write routes of its own. Refusing by method,
 * not by a list of paths, keeps every one of them refused, current and future.
 */
export function readOnlyBoard(): RequestHandler {
  return (req, _res, next) => {
    next(READ_METHODS.has(req.method) ? undefined : new BoardReadOnlyError(req.method, req.originalUrl.split('?')[0] ?? req.originalUrl));
  };
}
