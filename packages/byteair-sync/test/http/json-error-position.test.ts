import fc from 'fast-check';
import { jsonErrorPosition } from '../../src/http/json-error-position.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

test('finds the character V8 names no position for ("Unexpected token"), by line and column', () => {
  expect(jsonErrorPosition('[{"id":"a"},\n {"id":tru}]')).toEqual({ offset: 20, line: 2, column: 8 });
  expect(jsonErrorPosition('{"a":1}x')).toEqual({ offset: 7, line: 1, column: 8 });
  expect(jsonErrorPosition('[1,')).toEqual({ offset: 3, line: 1, column: 4 });
  expect(jsonErrorPosition('["tab\there"]')).toEqual({ offset: 5, line: 1, column: 6 });
  expect(jsonErrorPosition('[01]')).toEqual({ offset: 2, line: 1, column: 3 });
});

test('deep nesting neither overflows the stack nor hides the error', () => {
  const deep = `${'['.repeat(200_000)}${']'.repeat(199_999)}`;
  expect(jsonErrorPosition(deep)).toEqual({ offset: deep.length, line: 1, column: deep.length + 1 });
});

test('agrees with JSON.parse on what is valid: undefined exactly for the texts it accepts', () => {
  const pieces = fc.constantFrom(
    '[',
    ']',
    '{',
    '}',
    ',',
    ':',
    '"a"',
    '"\\u00e9"',
    '"\\x"',
    '"',
    '1',
    '-0.5e+3',
    '01',
    '1.',
    'true',
    'tru',
    'null',
    ' ',
    '\n',
    '\t',
    '\u000b',
  );
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
      const text = parts.join('');
      expect(jsonErrorPosition(text) === undefined).toBe(parses(text));
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      expect(jsonErrorPosition(JSON.stringify(value, null, 1))).toBeUndefined();
    }),
  );
});
