import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { BatchClosedError, BatchNotFoundError } from '../batches/batch-errors.js';
import { batchIdOf } from '../batches/batch-id.js';
import type { BatchStore } from '../batches/batch-store.js';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { Secret } from '../config/secret.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { Logger } from '../observability/logger.js';
import type { SyncOperations } from '../operations/sync-operations.js';
import type { SyncProducer } from '../producer/sync-producer.js';
import { pushFingerprint, type StreamIntake } from '../streaming/stream-intake.js';
import { parseTopic } from '../validation/sync-target.js';
import { bearerAuth } from './bearer-auth.js';
import { BodyBudget } from './body-budget.js';
import { batchRefOfPath } from './batch-path.js';
import { bodyFormatOf } from './body-format.js';
import { errorAnswer } from './error-answer.js';
import { RedisUnreachableError, RouteNotFoundError } from './ingest-errors.js';
import { pushRecords } from './push-records.js';
import { readBody, RequestAbortedError } from './read-body.js';
import { parseRecordBody, type RecordBody } from './record-body.js';

export interface IngestRouterOptions {
  readonly producer: Pick<SyncProducer, 'batch'>;
  readonly intake: Pick<StreamIntake, 'push'>;
  readonly operations: Pick<SyncOperations, 'status'>;
  /** Read-only look at a batch, so status and seal never open one by accident. */
  readonly batches: Pick<BatchStore, 'status'>;
  /** BYTEAIR_INGEST_TOKEN: every endpoint but /healthz requires it as a bearer token. */
  readonly token: Secret;
  /** BYTEAIR_INGEST_MAX_BODY_BYTES, on the wire and after gunzip. */
  readonly maxBodyBytes: number;
  /** BYTEAIR_INGEST_MAX_INFLIGHT_BYTES: bodies held at once by this router, across requests. */
  readonly maxInflightBytes: number;
  readonly config: Pick<Config, 'topics' | 'dateZone' | 'limits'>;
  readonly logger: Logger;
  readonly clock?: Clock;
  /**
   * True while Redis is known to be down: requests are refused at once with 503 instead of
   * each waiting out the client's reconnect attempts. Without it every request tries Redis.
   */
  readonly redisDown?: () => boolean;
}

/**
 * The HTTP ingest API for backends in other languages (docs/ingest.md). Mount it anywhere,
 * e.g. `app.use('/ingest', createIngestRouter(...))` in the dashboard; it owns `/healthz` and
 * everything under `/v1`. Every write answers 2xx only after its records are in Redis, and
 * checks the whole body first, so a 4xx means nothing of that request was taken.
 */
export function createIngestRouter(options: IngestRouterOptions): Router {
  const { producer, intake, operations, batches, maxBodyBytes, config, logger } = options;
  const clock = options.clock ?? systemClock;
  const maxRecordBytes = config.limits.maxRequestBytes;

  const budget = new BodyBudget(options.maxInflightBytes);

  const readRecords = async (req: Request, res: Response, allowSingleObject: boolean): Promise<RecordBody & { fingerprint(): string }> => {
    const format = bodyFormatOf(req.headers['content-type']);
    // Held until the answer is sent (or the client is gone): parsing and pushing need the body too.
    const share = budget.hold();
    res.once('close', () => share.release());
    const body = await readBody(req, maxBodyBytes, { share, limit: budget.limit });
    // Same key + same bytes is a resend; the format is part of it (a JSON and an NDJSON body differ).
    return Object.assign(await parseRecordBody(body, format, { maxRecordBytes, allowSingleObject }), { fingerprint: () => pushFingerprint([format, body]) });
  };

  const v1 = Router({ mergeParams: false });
  v1.use(bearerAuth(options.token));
  const redisDown = options.redisDown;
  if (redisDown !== undefined) v1.use((_req, _res, next) => next(redisDown() ? new RedisUnreachableError({ cause: undefined }) : undefined));

  v1.post('/batches/:topic/:stage/:date/records', async (req, res) => {
    const ref = batchRefOfPath(req.params, config, clock);
    const body = await readRecords(req, res, false);
    const batch = await producer.batch(ref.topic, ref.stage, ref.date);
    const added = await batch.add(body.records());
    res.status(202).json({ batch: batch.batchId, accepted: added.records, chunks: added.chunks, newChunks: added.newChunks });
  });

  // Sealing twice answers 200 with the state, not an error: a client whose first answer was
  // lost in transit must be able to retry blindly.
  v1.post('/batches/:topic/:stage/:date/seal', async (req, res) => {
    const ref = batchRefOfPath(req.params, config, clock);
    const batchId = batchIdOf(ref);
    const before = await batches.status(batchId);
    if (before === null) throw new BatchNotFoundError(batchId);
    if (before.state !== 'open') {
      res.status(200).json({ batch: batchId, state: before.state, doneQueued: false, alreadySealed: true });
      return;
    }
    try {
      const sealed = await (await producer.batch(ref.topic, ref.stage, ref.date)).seal();
      res.status(202).json({ batch: batchId, state: sealed.state, doneQueued: sealed.doneQueued, alreadySealed: false });
    } catch (error) {
      if (!(error instanceof BatchClosedError)) throw error;
      res.status(200).json({ batch: batchId, state: error.state, doneQueued: false, alreadySealed: true });
    }
  });

  v1.get('/batches/:topic/:stage/:date', async (req, res) => {
    const batchId = batchIdOf(batchRefOfPath(req.params, config, clock));
    const status = await batches.status(batchId);
    if (status === null) throw new BatchNotFoundError(batchId);
    res.status(200).json(status);
  });

  v1.post('/streams/:topic/records', async (req, res) => {
    const topic = parseTopic(req.params.topic, config.topics).name;
    const body = await readRecords(req, res, true);
    const key = req.get('idempotency-key');
    if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) throw new InvalidInputError('Idempotency-Key', key, 'must be 1-200 printable ASCII characters');
    const pushed = await pushRecords(intake, topic, body.records(), { fingerprint: body.fingerprint(), ...(key === undefined ? {} : { idempotencyKey: key }) });
    res.status(202).json({ topic, accepted: pushed.accepted });
  });

  v1.get('/status', async (_req, res) => {
    res.status(200).json(await operations.status());
  });

  v1.use((req, _res, next) => next(new RouteNotFoundError(req.method, req.originalUrl)));

  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ ok: true });
  });
  router.use('/v1', v1);
  router.use(answerErrors(logger));
  return router;
}

/** Turns an error into the JSON answer; 5xx are logged with the error, 4xx only by code. */
function answerErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const where = { method: req.method, path: req.originalUrl.split('?')[0] };
    if (error instanceof RequestAbortedError) {
      logger.info(where, 'client closed the request before its body was complete');
      res.destroy();
      return;
    }
    // The router refuses a path parameter that is not valid percent-encoding with a URIError.
    const answer = errorAnswer(error instanceof URIError ? new InvalidInputError('path', where.path, 'is not valid percent-encoding') : error);
    if (answer.status >= 500) logger.error({ ...where, status: answer.status, code: answer.body.error.code, err: error }, 'ingest request failed');
    else logger.info({ ...where, status: answer.status, code: answer.body.error.code }, 'ingest request refused');
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
}
