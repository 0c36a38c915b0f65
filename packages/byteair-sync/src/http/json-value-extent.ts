/**
 * Where one JSON value in UTF-8 bytes ends, found without building it (or decoding it: the
 * structural characters are ASCII, and no byte of a multi-byte character is below 0x80). JSON.parse builds every
 * value it reads: 32 MiB of `[[],[],…]` becomes eleven million arrays (about 1.8 GB of heap)
 * before anything can check that they are records. Scanning first bounds what a record may
 * cost before it is parsed; JSON.parse of the extent then checks the syntax inside it.
 */

export interface ExtentLimits {
  /** Containers open at once, at most. */
  readonly maxDepth: number;
  /** Structural tokens at most: `{`, `[`, `,` and `:`, roughly one per key or value. */
  readonly maxTokens: number;
}

export type Extent =
  /** `end` is one past the value's last character. */
  | { readonly kind: 'value'; readonly end: number }
  | { readonly kind: 'too-deep' }
  | { readonly kind: 'too-many-tokens' }
  /** The bytes end inside the value; `end` is their end. */
  | { readonly kind: 'unterminated'; readonly end: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** True for JSON's four whitespace characters. */
export function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * The extent of the value starting at `start` (not whitespace). A container ends at its
 * matching bracket, a string at its closing quote, anything else (a number or a literal) at
 * the next whitespace or structural character. Mismatched brackets are left for JSON.parse:
 * depth is counted, not which bracket closes.
 */
export function valueExtent(bytes: Uint8Array, start: number, limits: ExtentLimits): Extent {
  const first = bytes[start] ?? -1;
  if (first === QUOTE) {
    const end = stringEnd(bytes, start);
    return end === -1 ? { kind: 'unterminated', end: bytes.length } : { kind: 'value', end };
  }
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let i = start;
    while (i < bytes.length && !isDelimiter(bytes[i] ?? -1)) i += 1;
    return { kind: 'value', end: i };
  }
  let depth = 0;
  let tokens = 0;
  for (let i = start; i < bytes.length; i += 1) {
    const code = bytes[i] ?? -1;
    if (code === QUOTE) {
      const end = stringEnd(bytes, i);
      if (end === -1) return { kind: 'unterminated', end: bytes.length };
      i = end - 1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      tokens += 1;
      if (depth > limits.maxDepth) return { kind: 'too-deep' };
      if (tokens > limits.maxTokens) return { kind: 'too-many-tokens' };
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
      if (depth === 0) return { kind: 'value', end: i + 1 };
    } else if (code === COMMA || code === COLON) {
      tokens += 1;
      if (tokens > limits.maxTokens) return { kind: 'too-many-tokens' };
    }
  }
  return { kind: 'unterminated', end: bytes.length };
}

/** Index after the closing quote of the string opening at `start`, or -1 if the bytes end first. */
function stringEnd(bytes: Uint8Array, start: number): number {
  for (let i = start + 1; i < bytes.length; i += 1) {
    const code = bytes[i] ?? -1;
    if (code === BACKSLASH) i += 1;
    else if (code === QUOTE) return i + 1;
  }
  return -1;
}

function isDelimiter(code: number): boolean {
  return (
    isJsonSpace(code) ||
    code === COMMA ||
    code === COLON ||
    code === OPEN_BRACE ||
    code === CLOSE_BRACE ||
    code === OPEN_BRACKET ||
    code === CLOSE_BRACKET ||
    code === QUOTE
  );
}
