import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';
import type { Secret } from '../config/secret.js';
import { SETTINGS } from '../config/settings.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { openOperations, type OperationsHandle } from '../operations/open-operations.js';
import type { RedisClient } from '../redis/connection.js';
import { watchRedis } from '../redis/redis-watch.js';
import { Releasers } from '../wiring/releasers.js';
import { errorAnswer } from './error-answer.js';
import { RouteNotFoundError } from './ingest-errors.js';
import { createIngestRouter, type IngestRouterOptions } from './ingest-router.js';
import { closeServer, createLimitedServer, listen, urlOf } from './server-lifecycle.js';

export interface IngestServerOptions {
  /** Default BYTEAIR_INGEST_HOST / BYTEAIR_INGEST_PORT. */
  readonly host?: string;
  readonly port?: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** A Redis connection to share; by default the server opens (and closes) its own. */
  readonly redis?: RedisClient;
}

export interface RunningIngestServer {
  /** `http://host:port`, the address actually bound (port 0 resolved). */
  readonly url: string;
  /** Stops taking requests, lets those in flight finish (up to BYTEAIR_SHUTDOWN_TIMEOUT_MS), then closes Redis. */
  close(): Promise<void>;
}

/** The ingest API never runs open: without a token it refuses to start, naming the setting. */
export function requireIngestToken(config: Config): Secret {
  const token = config.ingest.token;
  if (token === undefined)
    throw new ConfigError(SETTINGS.ingestToken.key, 'nothing', 'is required: the HTTP ingest API does not run without a bearer token', 'environment');
  return token;
}

/** Router options from an operations handle, for any process that mounts the ingest API (the dashboard too). */
export function ingestRouterOptions(config: Config, handle: OperationsHandle, options: { logger: Logger; clock?: Clock }): IngestRouterOptions {
  return {
    producer: handle.producer,
    intake: handle.intake,
    operations: handle.operations,
    batches: handle.batches,
    token: requireIngestToken(config),
    maxBodyBytes: config.ingest.maxBodyBytes,
    maxInflightBytes: config.ingest.maxInflightBytes,
    config,
    logger: options.logger,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  };
}

/** The standalone ingest server (`byteair-sync ingest`): the router on its own HTTP server. */
export async function startIngestServer(config: Config, options: IngestServerOptions = {}): Promise<RunningIngestServer> {
  requireIngestToken(config);
  const logger = options.logger ?? silentLogger();
  const releasers = new Releasers();
  const handle = openOperations(config, { redis: options.redis, clock: options.clock, logger });
  releasers.add(async () => await handle.close());
  const watch = watchRedis(handle.redis, [handle.queues.upload, handle.queues.done], logger, 'ingest requests answer 503');
  releasers.add(() => watch.stop());
  const app = express();
  app.disable('x-powered-by');
  // Answers are small and never cached; hashing each for an ETag is wasted work.
  app.set('etag', false);
  const routerOptions = ingestRouterOptions(config, handle, { logger, ...(options.clock === undefined ? {} : { clock: options.clock }) });
  app.use(createIngestRouter({ ...routerOptions, redisDown: () => watch.down }));
  app.use((req, res) => {
    const answer = errorAnswer(new RouteNotFoundError(req.method, req.originalUrl));
    res.status(answer.status).json(answer.body);
  });
  const server = createLimitedServer(app, config.http, logger);
  try {
    await listen(server, options.port ?? config.ingest.port, options.host ?? config.ingest.host);
  } catch (error) {
    await releasers.release();
    throw error;
  }
  releasers.add(async () => await closeServer(server, config.worker.shutdownTimeoutMs));
  const url = urlOf(server.address() as AddressInfo);
  logger.info({ url }, 'ingest API listening');
  return { url, close: async () => await releasers.release() };
}
