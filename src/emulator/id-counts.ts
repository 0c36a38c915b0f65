/**
 * How often each id was seen, kept off the JavaScript heap. The emulator's ledger holds every
 * accepted record id of a run (a million and more in the benchmarks); as a Map of strings that
 * is a million live heap objects, and each full garbage collection of the thread that stamps
 * request arrivals then paused it for 20–65 ms: requests arriving meanwhile were stamped late,
 * bunched closer than they were sent, and counted as rate-limit excesses the client never made.
 * Here the ids are bytes in one growing buffer and the hash table is typed arrays, which the
 * collector never walks. Bytes are UTF-16LE, not UTF-8: any JavaScript string, lone surrogates
 * included, comes back exactly as it went in, so two ids a Map would tell apart stay apart.
 *
 * A read-only Map view: insertion order, get/has/size, and iteration like a Map's.
 */
export class IdCounts implements ReadonlyMap<string, number> {
  #bytes = Buffer.allocUnsafe(1 << 16);
  #used = 0;
  /** Per id, in insertion order: where its bytes start, how many, its hash, its count. */
  #starts = new Uint32Array(1 << 10);
  #lengths = new Uint32Array(1 << 10);
  #hashes = new Uint32Array(1 << 10);
  #counts = new Uint32Array(1 << 10);
  #size = 0;
  /** Open addressing, linear probing: id index + 1, 0 = empty; at most half full. */
  #slots = new Uint32Array(1 << 11);
  /** The id being looked up, encoded once per call. */
  #probe = Buffer.allocUnsafe(256);

  get size(): number {
    return this.#size;
  }

  /** Adds one to the id's count; returns the new count. */
  increment(id: string): number {
    const hash = hashOf(id);
    const length = this.#encode(id);
    const found = this.#find(hash, length);
    if (found >= 0) {
      this.#counts[found] = (this.#counts[found] as number) + 1;
      return this.#counts[found];
    }
    if ((this.#size + 1) * 2 > this.#slots.length) this.#rehash(this.#slots.length * 2);
    if (this.#size === this.#starts.length) this.#growIndex();
    if (this.#used + length > this.#bytes.length) this.#growBytes(this.#used + length);
    const index = this.#size;
    this.#probe.copy(this.#bytes, this.#used, 0, length);
    this.#starts[index] = this.#used;
    this.#lengths[index] = length;
    this.#hashes[index] = hash;
    this.#counts[index] = 1;
    this.#used += length;
    this.#size += 1;
    this.#place(index, hash);
    return 1;
  }

  get(id: string): number | undefined {
    const found = this.#find(hashOf(id), this.#encode(id));
    return found < 0 ? undefined : this.#counts[found];
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  clear(): void {
    this.#slots.fill(0);
    this.#size = 0;
    this.#used = 0;
  }

  *entries(): MapIterator<[string, number]> {
    for (let i = 0; i < this.#size; i += 1) yield [this.#idAt(i), this.#counts[i] as number];
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.#size; i += 1) yield this.#idAt(i);
  }

  *values(): MapIterator<number> {
    for (let i = 0; i < this.#size; i += 1) yield this.#counts[i] as number;
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }

  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void, thisArg?: unknown): void {
    for (const [id, count] of this.entries()) callback.call(thisArg, count, id, this);
  }

  #idAt(index: number): string {
    const start = this.#starts[index] as number;
    return this.#bytes.toString('utf16le', start, start + (this.#lengths[index] as number));
  }

  /** Encodes `id` into the probe buffer; returns its byte length. */
  #encode(id: string): number {
    const length = id.length * 2;
    if (length > this.#probe.length) this.#probe = Buffer.allocUnsafe(Math.max(length, this.#probe.length * 2));
    return this.#probe.write(id, 0, 'utf16le');
  }

  /** Index of the id now in the probe buffer, or -1. */
  #find(hash: number, length: number): number {
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot] as number;
      if (entry === 0) return -1;
      const index = entry - 1;
      if (this.#hashes[index] === hash && this.#lengths[index] === length) {
        const start = this.#starts[index] as number;
        if (this.#probe.compare(this.#bytes, start, start + length, 0, length) === 0) return index;
      }
    }
  }

  #place(index: number, hash: number): void {
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & mask;
    this.#slots[slot] = index + 1;
  }

  #rehash(capacity: number): void {
    this.#slots = new Uint32Array(capacity);
    for (let i = 0; i < this.#size; i += 1) this.#place(i, this.#hashes[i] as number);
  }

  #growIndex(): void {
    const grow = (from: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const to = new Uint32Array(from.length * 2);
      to.set(from);
      return to;
    };
    this.#starts = grow(this.#starts);
    this.#lengths = grow(this.#lengths);
    this.#hashes = grow(this.#hashes);
    this.#counts = grow(this.#counts);
  }

  #growBytes(atLeast: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(atLeast, this.#bytes.length * 2));
    this.#bytes.copy(bigger, 0, 0, this.#used);
    this.#bytes = bigger;
  }
}

/** FNV-1a over the UTF-16 code units, mixed at the end so low bits spread. */
function hashOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
