/** What ioredis throws when Redis is down or unreachable (by name: the classes are not exported stably). */
const REDIS_DOWN_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
/** How far down a `cause` chain to look: the wrappers in this code base nest one or two deep. */
const MAX_CAUSE_DEPTH = 5;

function* causeChain(error: unknown): Generator<Error> {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < MAX_CAUSE_DEPTH; e = e.cause, depth += 1) yield e;
}

function networkCodeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && NETWORK_CODES.has(code) ? code : undefined;
}

/** Whether `error` (or one of its causes) says Redis could not be reached, rather than that a command failed. */
export function isRedisOutage(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (REDIS_DOWN_NAMES.has(e.name) || e.message === 'Connection is closed.' || networkCodeOf(e) !== undefined) return true;
  }
  return false;
}

/** A short reason for a message: the network code when one is known (ECONNREFUSED), else the error's name. */
export function redisOutageReason(error: unknown): string {
  let name: string | undefined;
  for (const e of causeChain(error)) {
    const code = networkCodeOf(e);
    if (code !== undefined) return code;
    name ??= e.name;
  }
  return name ?? String(error);
}
