/**
 * Request-Ids already applied, per application, for `retentionMs` of the injected clock.
 * A Request-Id is remembered only once its request was applied, so a request refused for
 * any reason may be resent under the same id.
 */
export class RequestIdMemory {
  readonly #retentionMs: number;
  // Map keeps insertion order, which is (nearly) time order: expiry walks from the front.
  readonly #seen = new Map<string, number>();

  constructor(retentionMs: number) {
    this.#retentionMs = retentionMs;
  }

  has(applicationId: string, requestId: string, now: number): boolean {
    this.#expire(now);
    const at = this.#seen.get(key(applicationId, requestId));
    return at !== undefined && now - at < this.#retentionMs;
  }

  remember(applicationId: string, requestId: string, now: number): void {
    const k = key(applicationId, requestId);
    this.#seen.delete(k);
    this.#seen.set(k, now);
  }

  get size(): number {
    return this.#seen.size;
  }

  clear(): void {
    this.#seen.clear();
  }

  #expire(now: number): void {
    for (const [k, at] of this.#seen) {
      if (now - at < this.#retentionMs) break;
      this.#seen.delete(k);
    }
  }
}

function key(applicationId: string, requestId: string): string {
  return `${applicationId}\n${requestId}`;
}
