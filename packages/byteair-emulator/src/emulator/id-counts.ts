/** Sizes of the pieces the ids are kept in; the defaults suit millions of ids. */
export interface IdCountsLayout {
  /** Ids per page of the per-id columns (a power of two). */
  readonly pageIds: number;
  /** Bytes per segment of id bytes (a longer id gets a segment of its own). */
  readonly segmentBytes: number;
  /** Independent hash tables, chosen by the hash's top bits (a power of two, at most 2^16). */
  readonly shards: number;
}

const DEFAULT_LAYOUT: IdCountsLayout = { pageIds: 1 << 16, segmentBytes: 1 << 22, shards: 256 };
/** Per id in a page: segment, start in it, byte length, hash, count. */
const COLUMNS = 5;
const INITIAL_SHARD_SLOTS = 16;

/**
 * How often each id was seen, kept off the JavaScript heap. The emulator's ledger holds every
 * accepted record id of a run (a million and more in the benchmarks); as a Map of strings that
 * is a million live heap objects, and each full garbage collection of the thread that stamps
 * request arrivals then paused it for 20–65 ms: requests arriving meanwhile were stamped late,
 * bunched closer than they were sent, and counted as rate-limit excesses the client never made.
 * Here the ids are bytes and the hash tables typed arrays, which the collector never walks.
 *
 * Nothing ever grows by copying the whole: the same stamping thread stalled 240–460 ms when one
 * buffer of 3 million ids doubled (a 64 MB copy into fresh pages) or one table rehashed, and the
 * requests stamped late in those stalls drew 429s in the latency bench. So the ids live in fixed
 * segments, the per-id columns in fixed pages, and the hash table is `shards` tables each
 * rehashing alone (1/256 of the ids at a time).
 *
 * Bytes are UTF-16LE, not UTF-8: any JavaScript string, lone surrogates included, comes back
 * exactly as it went in, so two ids a Map would tell apart stay apart.
 *
 * A read-only Map view: insertion order, get/has/size, and iteration like a Map's.
 */
export class IdCounts implements ReadonlyMap<string, number> {
  readonly #layout: IdCountsLayout;
  readonly #pageShift: number;
  readonly #shardShift: number;
  #segments: Buffer[] = [];
  /** Bytes used in the last segment. */
  #segmentUsed = 0;
  #pages: Uint32Array[] = [];
  #size = 0;
  /** Per shard, open addressing with linear probing: id index + 1, 0 = empty; at most half full. */
  #shards: Uint32Array[] = [];
  #shardSizes: Uint32Array;
  /** The id being looked up, encoded once per call. */
  #probe = Buffer.allocUnsafe(256);

  constructor(layout: Partial<IdCountsLayout> = {}) {
    this.#layout = { ...DEFAULT_LAYOUT, ...layout };
    const { pageIds, shards, segmentBytes } = this.#layout;
    if (!isPowerOfTwo(pageIds)) throw new RangeError(`pageIds must be a power of two, got ${pageIds}`);
    if (!isPowerOfTwo(shards) || shards > 1 << 16) throw new RangeError(`shards must be a power of two up to 65536, got ${shards}`);
    if (!Number.isInteger(segmentBytes) || segmentBytes < 2) throw new RangeError(`segmentBytes must be an integer of at least 2, got ${segmentBytes}`);
    this.#pageShift = Math.log2(pageIds);
    this.#shardShift = 32 - Math.log2(shards);
    this.#shardSizes = new Uint32Array(shards);
    this.clear();
  }

  get size(): number {
    return this.#size;
  }

  /** Adds one to the id's count; returns the new count. */
  increment(id: string): number {
    const hash = hashOf(id);
    const length = this.#encode(id);
    const found = this.#find(hash, length);
    if (found >= 0) {
      const page = this.#pageOf(found);
      const at = this.#offsetOf(found);
      page[at + 4] = (page[at + 4] as number) + 1;
      return page[at + 4] as number;
    }
    const index = this.#size;
    if (index >> this.#pageShift === this.#pages.length) this.#pages.push(new Uint32Array(this.#layout.pageIds * COLUMNS));
    const page = this.#pageOf(index);
    const at = this.#offsetOf(index);
    this.#store(length, page, at);
    page[at + 2] = length;
    page[at + 3] = hash;
    page[at + 4] = 1;
    this.#size += 1;
    this.#place(index, hash);
    return 1;
  }

  get(id: string): number | undefined {
    const found = this.#find(hashOf(id), this.#encode(id));
    return found < 0 ? undefined : this.#countAt(found);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  clear(): void {
    this.#segments = [Buffer.allocUnsafe(this.#layout.segmentBytes)];
    this.#segmentUsed = 0;
    this.#pages = [];
    this.#size = 0;
    this.#shards = Array.from({ length: this.#layout.shards }, () => new Uint32Array(INITIAL_SHARD_SLOTS));
    this.#shardSizes.fill(0);
  }

  *entries(): MapIterator<[string, number]> {
    for (let i = 0; i < this.#size; i += 1) yield [this.#idAt(i), this.#countAt(i)];
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.#size; i += 1) yield this.#idAt(i);
  }

  *values(): MapIterator<number> {
    for (let i = 0; i < this.#size; i += 1) yield this.#countAt(i);
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }

  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void, thisArg?: unknown): void {
    for (const [id, count] of this.entries()) callback.call(thisArg, count, id, this);
  }

  // Page and offset apart, not as a pair: this is the hot path, and a pair is an allocation.
  /** The page holding id `index`'s columns. */
  #pageOf(index: number): Uint32Array {
    return this.#pages[index >> this.#pageShift] as Uint32Array;
  }

  /** Where id `index`'s columns start in its page. */
  #offsetOf(index: number): number {
    return (index & (this.#layout.pageIds - 1)) * COLUMNS;
  }

  #countAt(index: number): number {
    return this.#pageOf(index)[this.#offsetOf(index) + 4] as number;
  }

  #idAt(index: number): string {
    const page = this.#pageOf(index);
    const at = this.#offsetOf(index);
    const start = page[at + 1] as number;
    return (this.#segments[page[at] as number] as Buffer).toString('utf16le', start, start + (page[at + 2] as number));
  }

  /** Copies the probe's `length` bytes into the last segment, opening a new one when full; notes where in the id's columns. */
  #store(length: number, page: Uint32Array, at: number): void {
    if (this.#segmentUsed + length > (this.#segments[this.#segments.length - 1] as Buffer).length) {
      this.#segments.push(Buffer.allocUnsafe(Math.max(length, this.#layout.segmentBytes)));
      this.#segmentUsed = 0;
    }
    const segment = this.#segments.length - 1;
    const start = this.#segmentUsed;
    this.#probe.copy(this.#segments[segment] as Buffer, start, 0, length);
    this.#segmentUsed += length;
    page[at] = segment;
    page[at + 1] = start;
  }

  /** Encodes `id` into the probe buffer; returns its byte length. */
  #encode(id: string): number {
    const length = id.length * 2;
    if (length > this.#probe.length) this.#probe = Buffer.allocUnsafe(Math.max(length, this.#probe.length * 2));
    return this.#probe.write(id, 0, 'utf16le');
  }

  /** Index of the id now in the probe buffer, or -1. */
  #find(hash: number, length: number): number {
    const slots = this.#shards[this.#shardOf(hash)] as Uint32Array;
    const mask = slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot] as number;
      if (entry === 0) return -1;
      const page = this.#pageOf(entry - 1);
      const at = this.#offsetOf(entry - 1);
      if (page[at + 3] === hash && page[at + 2] === length) {
        const start = page[at + 1] as number;
        if (this.#probe.compare(this.#segments[page[at] as number] as Buffer, start, start + length, 0, length) === 0) return entry - 1;
      }
    }
  }

  #place(index: number, hash: number): void {
    const shard = this.#shardOf(hash);
    if (((this.#shardSizes[shard] as number) + 1) * 2 > (this.#shards[shard] as Uint32Array).length) this.#rehash(shard);
    insert(this.#shards[shard] as Uint32Array, index, hash);
    this.#shardSizes[shard] = (this.#shardSizes[shard] as number) + 1;
  }

  /** The top bits pick the shard; the table inside it probes from the low bits. */
  #shardOf(hash: number): number {
    // A shift by 32 is a shift by 0 in JavaScript: one shard takes no bits.
    return this.#shardShift === 32 ? 0 : hash >>> this.#shardShift;
  }

  /** Doubles one shard's table. */
  #rehash(shard: number): void {
    const old = this.#shards[shard] as Uint32Array;
    const slots = new Uint32Array(old.length * 2);
    for (const entry of old) {
      if (entry === 0) continue;
      insert(slots, entry - 1, this.#pageOf(entry - 1)[this.#offsetOf(entry - 1) + 3] as number);
    }
    this.#shards[shard] = slots;
  }
}

function insert(slots: Uint32Array, index: number, hash: number): void {
  const mask = slots.length - 1;
  let slot = hash & mask;
  while (slots[slot] !== 0) slot = (slot + 1) & mask;
  slots[slot] = index + 1;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
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
