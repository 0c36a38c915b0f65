import { InvalidInputError } from '../errors/invalid-input-error.js';

export interface TextLine {
  /** Without its line break (LF or CRLF). */
  readonly text: string;
  /** 1-based. */
  readonly line: number;
}

/**
 * Cuts text arriving in pieces into lines. Holds at most one unfinished line, and refuses
 * one longer than `maxChars`, so memory stays bounded whatever the input.
 */
export class LineSplitter {
  readonly #label: string;
  readonly #maxChars: number;
  #rest = '';
  #line = 0;

  constructor(label: string, maxChars: number) {
    this.#label = label;
    this.#maxChars = maxChars;
  }

  /** Number of the last line handed out. */
  get line(): number {
    return this.#line;
  }

  *push(text: string): Generator<TextLine> {
    let buffer = this.#rest === '' ? text : this.#rest + text;
    let start = 0;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n', start)) {
      const stop = end > start && buffer.charCodeAt(end - 1) === 13 ? end - 1 : end;
      this.#line += 1;
      yield { text: buffer.slice(start, stop), line: this.#line };
      start = end + 1;
    }
    buffer = buffer.slice(start);
    if (buffer.length > this.#maxChars) {
      throw new InvalidInputError(
        `${this.#label} line ${this.#line + 1}`,
        `${buffer.length}+ characters`,
        `is longer than any record may be (${this.#maxChars} characters); is this really one JSON object per line?`,
      );
    }
    this.#rest = buffer;
  }

  /** The last line when the input does not end with a line break. */
  end(): TextLine | undefined {
    if (this.#rest === '') return undefined;
    const text = this.#rest.endsWith('\r') ? this.#rest.slice(0, -1) : this.#rest;
    this.#rest = '';
    this.#line += 1;
    return { text, line: this.#line };
  }
}
