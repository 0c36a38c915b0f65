import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import type { SyncQueues } from '../src/queue/sync-enqueuer.js';
import { BoardActionDisabledError } from './dashboard-errors.js';
import { formatJobData, formatJobName, formatProgress, formatReturnValue } from './job-formatters.js';

export const BOARD_BASE_PATH = '/board';

/**
 * @bull-board/express 9.10.1 pins its own copy of @bull-board/api (9.10.1, beside our 9.10.2):
 * the adapter is the same at runtime, but TypeScript sees two declarations of its private
 * fields, hence the one cast where the two meet.
 */
type BoardServerAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];

export interface BoardOptions {
  readonly queues: SyncQueues;
  /** BYTEAIR_DASHBOARD_READ_ONLY: every write endpoint answers 405 and the buttons are hidden. */
  readonly readOnly: boolean;
  readonly authEnabled: boolean;
}

function adapterFor(queue: SyncQueues['upload'], description: string, readOnly: boolean): BullMQAdapter {
  const adapter = new BullMQAdapter(queue, { readOnlyMode: readOnly, description });
  // Formatters run on the server for every listed job; the browser never receives the raw data.
  adapter.setFormatter('data', formatJobData);
  adapter.setFormatter('returnValue', formatReturnValue);
  adapter.setFormatter('name', formatJobName);
  adapter.setFormatter('progress', formatProgress);
  return adapter;
}

/** Bull Board on both queues, as an Express router to mount at BOARD_BASE_PATH. */
export function createBoardRouter(options: BoardOptions): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_BASE_PATH);
  const miscLinks = [{ text: 'Sync status', url: '/status' }, ...(options.authEnabled ? [{ text: 'Log out', url: '/logout' }] : [])];
  createBullBoard({
    queues: [
      adapterFor(options.queues.upload, 'WriteData chunks, offline and streaming', options.readOnly),
      adapterFor(options.queues.done, 'One Done call per (topic, stage, date)', options.readOnly),
    ],
    serverAdapter: serverAdapter as unknown as BoardServerAdapter,
    options: {
      uiConfig: {
        boardTitle: 'byteair-sync',
        miscLinks,
        hideDocsLink: true,
        ...(options.readOnly ? { environment: { label: 'read-only', color: '#5f6b7a' } } : {}),
      },
    },
  });
  return serverAdapter.getRouter() as RequestHandler;
}

/** One path segment, whatever it is (a queue name, a job id, a job state). */
const ANY = '*';

/**
 * Bull Board actions refused even when the board is writable, because each would break an
 * invariant: emptying, obliterating or removing jobs loses acknowledged chunks (a batch then
 * never reaches its Done), and adding or editing a job puts unvalidated data into the queue.
 * Rescheduling takes any `runAt`, so one click can park a held chunk for years where no
 * status shows it as stuck. The rate-limit key is the pause an open circuit or a 429 puts on
 * every worker: releasing it sends the whole fleet back at an API that is failing or
 * throttling us. A queue rate limit or global concurrency set here would be a second, hidden
 * ceiling under the global limiter's, stored in Redis past any config change or restart.
 * Retry, promote, pause and resume stay available (they are what an operator needs).
 */
const DISABLED_ACTIONS: ReadonlyArray<readonly [method: string, pattern: readonly string[], action: string]> = [
  ['POST', ['api', 'queues', ANY, 'add'], 'adding a job'],
  ['PATCH', ['api', 'queues', ANY, ANY, 'update-data'], 'editing job data'],
  ['PATCH', ['api', 'queues', ANY, ANY, 'delay'], 'rescheduling a job'],
  ['PUT', ['api', 'queues', ANY, 'empty'], 'emptying a queue'],
  ['PUT', ['api', 'queues', ANY, 'obliterate'], 'obliterating a queue'],
  ['PUT', ['api', 'queues', ANY, 'clean', ANY], 'cleaning jobs'],
  ['PUT', ['api', 'queues', ANY, ANY, 'clean'], 'removing a job'],
  ['PUT', ['api', 'queues', ANY, 'rate-limit'], 'setting a queue rate limit'],
  ['PUT', ['api', 'queues', ANY, 'rate-limit', 'release'], 'releasing the rate-limit pause'],
  ['PUT', ['api', 'queues', ANY, 'concurrency'], 'setting a global concurrency'],
];

/**
 * The path's segments as Express routes them: case-insensitively and with or without a
 * trailing slash (Express's defaults, which Bull Board's router keeps), each segment decoded
 * on its own so that `%2F` inside a job id stays one segment, as it is for the board's
 * `:jobId`. Comparing the raw path instead let `/API/queues/upload/add` or `.../empty/`
 * through to handlers this list exists to refuse.
 */
function routedSegments(path: string): string[] {
  return path
    .replace(/\/+$/, '')
    .split('/')
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment).toLowerCase();
      } catch {
        return segment.toLowerCase();
      }
    });
}

function matches(segments: readonly string[], pattern: readonly string[]): boolean {
  return segments.length === pattern.length && pattern.every((part, i) => part === ANY || part === segments[i]);
}

/** Mount at BOARD_BASE_PATH before the board itself. */
export function disabledBoardActions(): RequestHandler {
  return (req, _res, next) => {
    const segments = routedSegments(req.path);
    const hit = DISABLED_ACTIONS.find(([method, pattern]) => req.method === method && matches(segments, pattern));
    next(hit === undefined ? undefined : new BoardActionDisabledError(hit[2]));
  };
}
