import { InvalidInputError } from '../errors/invalid-input-error.js';
import { describeJsonSyntaxError } from '../validation/json-syntax-error.js';
import type { ReaderLimits, SourceRecord } from './source-record.js';

const enum Expect {
  /** Whitespace, then `[`. */
  ArrayStart,
  /** Right after `[`: the first element or `]`. */
  FirstElement,
  /** After a comma: an element (a `]` here is a trailing comma). */
  NextElement,
  /** Inside an element, until a `,` or `]` at depth 0 outside a string. */
  InElement,
  /** After the closing `]`: whitespace only. */
  End,
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const NEWLINE = 10;

function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/**
 * A `.json` file holding one top-level array, read element by element: the splitter only
 * finds where each element ends (string- and escape-aware, counting brackets) and hands that
 * text to JSON.parse, so memory holds one element, never the file.
 */
export class JsonArraySplitter {
  readonly #label: string;
  readonly #maxChars: number;
  #expect = Expect.ArrayStart;
  #line = 1;
  /** Offset (over all text so far) where the current line starts, for columns. */
  #lineStart = 0;
  #offset = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #parts: string[] = [];
  #partsChars = 0;
  #element = 0;
  #elementLine = 1;
  #elementColumn = 1;

  constructor(label: string, limits: ReaderLimits) {
    this.#label = label;
    this.#maxChars = limits.maxRecordChars;
  }

  *push(text: string): Generator<SourceRecord> {
    let runStart = this.#expect === Expect.InElement ? 0 : -1;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (this.#expect === Expect.InElement) {
        if (this.#inString) {
          if (this.#escaped) this.#escaped = false;
          else if (code === BACKSLASH) this.#escaped = true;
          else if (code === QUOTE) this.#inString = false;
        } else if (code === QUOTE) {
          this.#inString = true;
        } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
          this.#depth += 1;
        } else if ((code === CLOSE_BRACE || code === CLOSE_BRACKET) && this.#depth > 0) {
          this.#depth -= 1;
        } else if (this.#depth === 0 && (code === COMMA || code === CLOSE_BRACKET)) {
          yield this.#finishElement(text.slice(runStart, i));
          runStart = -1;
          this.#expect = code === COMMA ? Expect.NextElement : Expect.End;
        }
      } else if (!isWhitespace(code)) {
        if (this.#structural(code, i)) runStart = i;
      }
      if (code === NEWLINE) {
        this.#line += 1;
        this.#lineStart = this.#offset + i + 1;
      }
    }
    if (this.#expect === Expect.InElement) {
      const part = text.slice(runStart);
      this.#parts.push(part);
      this.#partsChars += part.length;
      if (this.#partsChars > this.#maxChars) {
        throw new InvalidInputError(
          this.#where(),
          `${this.#partsChars}+ characters`,
          `is longer than any record may be (${this.#maxChars} characters); is a string or bracket left open?`,
        );
      }
    }
    this.#offset += text.length;
  }

  /** The input ended: anything but a closed array is an error. */
  end(): void {
    switch (this.#expect) {
      case Expect.ArrayStart:
        throw new InvalidInputError(this.#label, 'no content', 'holds no records: a .json import is one JSON array of record objects');
      case Expect.End:
        return;
      case Expect.InElement:
        throw new InvalidInputError(
          this.#where(),
          this.#parts.join('').slice(0, 80),
          'is cut off: the input ends before this element and the array are closed',
        );
      default:
        throw new InvalidInputError(`${this.#label} line ${this.#line}`, 'the end of the input', 'comes before the array is closed with ]');
    }
  }

  /** Something other than whitespace outside an element; true when it starts an element. */
  #structural(code: number, index: number): boolean {
    const column = this.#offset + index - this.#lineStart + 1;
    const here = `${this.#label} line ${this.#line} column ${column}`;
    switch (this.#expect) {
      case Expect.ArrayStart:
        if (code !== OPEN_BRACKET)
          throw new InvalidInputError(
            here,
            String.fromCharCode(code),
            'must start the file with [: a .json import is one JSON array of record objects (use .jsonl for one object per line)',
          );
        this.#expect = Expect.FirstElement;
        return false;
      case Expect.End:
        throw new InvalidInputError(here, String.fromCharCode(code), 'follows the closing ] of the array; a .json import is exactly one array');
      case Expect.NextElement:
        if (code === CLOSE_BRACKET) throw new InvalidInputError(here, ']', 'follows a comma: JSON allows no trailing comma');
        break;
      case Expect.FirstElement:
        if (code === CLOSE_BRACKET) {
          this.#expect = Expect.End;
          return false;
        }
        break;
      case Expect.InElement:
        return false;
    }
    if (code === COMMA) throw new InvalidInputError(here, ',', 'stands where an element should be (two commas, or a comma after [)');
    this.#expect = Expect.InElement;
    this.#depth = 0;
    this.#inString = false;
    this.#escaped = false;
    this.#elementLine = this.#line;
    this.#elementColumn = column;
    // The opening character itself is scanned by the element loop from the next one on.
    if (code === QUOTE) this.#inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.#depth = 1;
    return true;
  }

  #finishElement(lastPart: string): SourceRecord {
    const text = this.#parts.length === 0 ? lastPart : this.#parts.join('') + lastPart;
    this.#parts = [];
    this.#partsChars = 0;
    const element = this.#element;
    this.#element += 1;
    try {
      return { record: JSON.parse(text) as unknown, line: this.#elementLine, element };
    } catch (error) {
      const problem = describeJsonSyntaxError(error, text);
      let at = '';
      if (problem.line !== undefined && problem.column !== undefined) {
        const line = this.#elementLine + problem.line - 1;
        const column = problem.line === 1 ? this.#elementColumn + problem.column - 1 : problem.column;
        at = ` at line ${line} column ${column}`;
      }
      throw new InvalidInputError(`${this.#label}[${element}] (line ${this.#elementLine})`, text.trim(), `is not valid JSON (${problem.reason}${at})`);
    }
  }

  #where(): string {
    return `${this.#label}[${this.#element}] (line ${this.#elementLine})`;
  }
}

export async function* jsonArrayRecords(text: AsyncIterable<string>, label: string, limits: ReaderLimits): AsyncGenerator<SourceRecord> {
  const splitter = new JsonArraySplitter(label, limits);
  for await (const piece of text) yield* splitter.push(piece);
  splitter.end();
}
