/**
 * The command-line flags of a benchmark: `--name value` pairs, plus repeatable
 * `--env KEY=VALUE` that passes extra settings to every process of the system under test.
 * Bad values throw with the flag and what was given, before anything starts.
 */
export class BenchFlags {
  readonly #args: readonly string[];

  constructor(args: readonly string[]) {
    this.#args = args;
  }

  text(name: string, fallback: string): string {
    const at = this.#args.lastIndexOf(`--${name}`);
    return at === -1 ? fallback : (this.#args[at + 1] ?? fallback);
  }

  /** A flag without a value, e.g. `--no-baseline`. */
  has(name: string): boolean {
    return this.#args.includes(`--${name}`);
  }

  /** A whole number of at least `min`. */
  count(name: string, fallback: number, min = 1): number {
    const text = this.text(name, String(fallback));
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min} (got ${text})`);
    return n;
  }

  /** A comma list of whole numbers, each at least 1. */
  counts(name: string, fallback: readonly number[]): number[] {
    const text = this.text(name, fallback.join(','));
    return text.split(',').map((part) => {
      const n = Number(part);
      if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a comma list of whole numbers of at least 1 (got ${text})`);
      return n;
    });
  }

  /** Every `--env KEY=VALUE`, in order (a later one wins). */
  env(): Record<string, string> {
    const out: Record<string, string> = {};
    this.#args.forEach((arg, i) => {
      if (arg !== '--env') return;
      const pair = this.#args[i + 1] ?? '';
      const eq = pair.indexOf('=');
      if (eq < 1) throw new Error(`--env must be KEY=VALUE (got ${pair})`);
      out[pair.slice(0, eq)] = pair.slice(eq + 1);
    });
    return out;
  }
}
