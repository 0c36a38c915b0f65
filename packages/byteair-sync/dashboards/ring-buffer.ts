/** The last `capacity` items pushed, oldest first; fixed memory however long the process runs. */
export class RingBuffer<T> {
  readonly #items: T[] = [];
  readonly #capacity: number;
  #next = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer (got ${capacity})`);
    this.#capacity = capacity;
  }

  push(item: T): void {
    if (this.#items.length < this.#capacity) this.#items.push(item);
    else this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  toArray(): T[] {
    if (this.#items.length < this.#capacity) return [...this.#items];
    return [...this.#items.slice(this.#next), ...this.#items.slice(0, this.#next)];
  }

  get size(): number {
    return this.#items.length;
  }
}
