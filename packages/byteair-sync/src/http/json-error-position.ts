/** Where a JSON text goes wrong: 0-based offset, and the 1-based line and column of that character. */
export interface JsonErrorPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];
const ESCAPES = '"\\/bfnrt';
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * The first character JSON.parse refuses in `text`, or undefined when the text is valid.
 * Node 20's JSON.parse names no position for "Unexpected token" errors (the commonest kind),
 * so a caller with a 10 MB body would be left to search; this scan finds it. Iterative, so
 * deep nesting cannot overflow the stack. Only run after JSON.parse has failed.
 */
export function jsonErrorPosition(text: string): JsonErrorPosition | undefined {
  const offset = firstBadOffset(text);
  return offset === undefined ? undefined : positionAt(text, offset);
}

/** Line and column (1-based) of the character at `offset`. */
function positionAt(text: string, offset: number): JsonErrorPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}

function firstBadOffset(text: string): number | undefined {
  const stack: string[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const afterValue = (): Expect => (stack.length === 0 ? 'end' : 'comma-or-close');
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i += 1;
    if (i >= text.length) return expect === 'end' ? undefined : text.length;
    const ch = text.charAt(i);
    if ((expect === 'value-or-close' && ch === ']') || (expect === 'key-or-close' && ch === '}')) {
      stack.pop();
      i += 1;
      expect = afterValue();
      continue;
    }
    switch (expect) {
      case 'end':
        return i;
      case 'colon':
        if (ch !== ':') return i;
        i += 1;
        expect = 'value';
        continue;
      case 'comma-or-close': {
        const open = stack.at(-1);
        if (ch === ',') expect = open === '[' ? 'value' : 'key';
        else if (ch === (open === '[' ? ']' : '}')) stack.pop();
        else return i;
        i += 1;
        if (ch !== ',') expect = afterValue();
        continue;
      }
      case 'key':
      case 'key-or-close': {
        if (ch !== '"') return i;
        const end = stringEnd(text, i);
        if (end.bad) return end.at;
        i = end.at;
        expect = 'colon';
        continue;
      }
      case 'value':
      case 'value-or-close': {
        if (ch === '[' || ch === '{') {
          stack.push(ch);
          i += 1;
          expect = ch === '[' ? 'value-or-close' : 'key-or-close';
          continue;
        }
        if (ch === '"') {
          const end = stringEnd(text, i);
          if (end.bad) return end.at;
          i = end.at;
        } else {
          NUMBER.lastIndex = i;
          const number = NUMBER.exec(text);
          const literal = LITERALS.find((word) => text.startsWith(word, i));
          if (number !== null) i += number[0].length;
          else if (literal !== undefined) i += literal.length;
          else return i;
        }
        expect = afterValue();
        continue;
      }
    }
  }
}

/** End (exclusive) of the string starting at `start`, or the offset of its first bad character. */
function stringEnd(text: string, start: number): { bad: boolean; at: number } {
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '"') return { bad: false, at: i + 1 };
    if (ch === '\\') {
      const next = text.charAt(i + 1);
      if (next === 'u') {
        HEX4.lastIndex = i + 2;
        if (!HEX4.test(text)) return { bad: true, at: i };
        i += 6;
      } else if (next !== '' && ESCAPES.includes(next)) i += 2;
      else return { bad: true, at: i };
    } else if (ch < ' ') return { bad: true, at: i };
    else i += 1;
  }
  return { bad: true, at: text.length };
}
