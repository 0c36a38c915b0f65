import type { Logger } from '../src/observability/logger.js';
import type { OperationsHandle } from '../src/operations/open-operations.js';

export interface RedisWatch {
  readonly ready: boolean;
  stop(): void;
}

/**
 * Logs one warning per Redis outage instead of one per reconnect attempt, and gives the
 * queues an error listener (without one, an EventEmitter error would crash the process).
 */
export function watchRedis(handle: Pick<OperationsHandle, 'redis' | 'queues'>, logger: Logger): RedisWatch {
  let down = false;
  const onError = (error: Error): void => {
    if (down) return;
    down = true;
    logger.warn({ err: error }, 'Redis unreachable; the dashboard answers 503 until it is back');
  };
  const onReady = (): void => {
    if (down) logger.info('Redis reachable again');
    down = false;
  };
  const onQueueError = (error: Error): void => logger.debug({ err: error }, 'queue error');
  const queues = [handle.queues.upload, handle.queues.done];
  handle.redis.on('error', onError);
  handle.redis.on('ready', onReady);
  for (const queue of queues) queue.on('error', onQueueError);
  return {
    get ready() {
      return handle.redis.status === 'ready';
    },
    stop() {
      handle.redis.off('error', onError);
      handle.redis.off('ready', onReady);
      for (const queue of queues) queue.off('error', onQueueError);
    },
  };
}
