/**
 * Sleeps `ms` (rounded up: a timer firing a fraction early would only cost another round
 * trip to Redis). Rejects with `onAbort()`'s error as soon as `signal` aborts, and leaves no
 * listener or timer behind either way.
 */
export async function abortableSleep(ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  if (signal?.aborted === true) throw onAbort();
  if (ms <= 0) return;
  await new Promise<void>((resolve, reject) => {
    const abort = (): void => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, Math.ceil(ms));
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** A plain sleep, for waits nobody cancels. */
export async function sleep(ms: number): Promise<void> {
  if (ms <= 0) return;
  await new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
}
