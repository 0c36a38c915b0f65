import { openOperations, type OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';
import type { TestSystem } from '../support/system.js';

/**
 * A producer on the connection settings production uses (openOperations without a client of
 * the caller's own: fail fast while Redis is down), unlike the test system's own `ops`, whose
 * client waits for Redis forever. Connection errors while Redis restarts are expected here,
 * so the queues' error events (else printed by BullMQ) are swallowed, the system's included.
 */
export function openProductionProducer(system: TestSystem): OperationsHandle {
  const handle = openOperations(system.config);
  for (const queue of [handle.queues.upload, handle.queues.done, system.ops.queues.upload, system.ops.queues.done]) queue.on('error', () => undefined);
  return handle;
}
