import { InvalidInputError } from '../../src/errors/invalid-input-error.js';

test('a field name taken from input (a CSV header) cannot break the one-line message', () => {
  const error = new InvalidInputError('f.csv line 3 column line\nbreak\r\u2028\u0001', 'a"', 'has a quote inside an unquoted field');
  expect(error.message).toBe('f.csv line 3 column line\\nbreak\\r\\u2028\\u0001: has a quote inside an unquoted field (got "a\\"")');
  expect(error.message.split(/[\n\r\u2028\u2029]/)).toHaveLength(1);
  // The field itself stays as given, for programs.
  expect(error.field).toBe('f.csv line 3 column line\nbreak\r\u2028\u0001');
});
