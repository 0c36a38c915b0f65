/**
 * The one polling helper of the tests: calls `check` until it gives something other than
 * `undefined` or `false`, and returns that. For waiting on a recorded outcome (a ledger filled,
 * a grant booked, a Redis clock passed), never on time itself. `what` names the outcome in the
 * timeout error.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 60_000,
  everyMs = 100,
  /** On timeout, what the system looked like, appended to the error. */
  explain?: () => Promise<string>,
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) {
      const state = explain === undefined ? '' : `\n${await explain()}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
