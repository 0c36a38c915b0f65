import type { Logger } from '../observability/logger.js';
import type { RedisClient } from './connection.js';

/** Anything that repeats connection errors as 'error' events: BullMQ queues and workers, ioredis clients. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether an error only says the connection to Redis failed (the outage the watch reports once). */
export function isConnectionError(error: Error): boolean {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  return CONNECTION_ERROR_CODES.has(code) || /connection is closed|stream isn't writeable|reached the max retries/i.test(error.message);
}

export interface RedisWatch {
  /** From a connection error until the client is ready again. */
  readonly down: boolean;
  /** Connected and ready now (false before the first connection too). */
  readonly ready: boolean;
  stop(): void;
}

/**
 * One warning per Redis outage and one line when it ends, instead of one stack trace per
 * reconnect attempt: ioredis and BullMQ print every failure themselves when nobody listens
 * (and an EventEmitter 'error' without a listener would throw). `others` share the outage
 * (queues, workers, extra connections); their errors go to debug.
 */
export function watchRedis(redis: RedisClient, others: readonly ErrorEmitter[], logger: Logger, meanwhile: string): RedisWatch {
  let down = false;
  const onError = (error: Error): void => {
    if (down) return;
    down = true;
    logger.warn({ err: error }, `Redis unreachable; ${meanwhile} until it is back`);
  };
  const onReady = (): void => {
    if (down) logger.info('Redis reachable again');
    down = false;
  };
  const onOtherError = (error: Error): void => logger.debug({ err: error }, 'Redis error (repeated by a queue or connection)');
  redis.on('error', onError);
  redis.on('ready', onReady);
  for (const other of others) other.on('error', onOtherError);
  return {
    get down() {
      // The status check keeps a stray error event on a working connection from counting as an outage.
      return down && redis.status !== 'ready';
    },
    get ready() {
      return redis.status === 'ready';
    },
    stop() {
      redis.off('error', onError);
      redis.off('ready', onReady);
      for (const other of others) other.off('error', onOtherError);
    },
  };
}
