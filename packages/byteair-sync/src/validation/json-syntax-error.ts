/** Why JSON.parse refused a text, and where, without quoting the text. */
export interface JsonSyntaxProblem {
  readonly reason: string;
  /** 1-based, when the engine reported a position. */
  readonly line: number | undefined;
  readonly column: number | undefined;
}

/**
 * Turns a JSON.parse error into a reason and a line/column. V8 quotes a slice of the input
 * in some messages (`Unexpected token 's', ..."K": supersecre"...`), and the input may be a
 * config file holding a secret, so the quoted slice is never passed on.
 */
export function describeJsonSyntaxError(error: unknown, text: string): JsonSyntaxProblem {
  const message = error instanceof Error ? error.message : String(error);
  const positioned = /^(.*?) in JSON at position (\d+)/.exec(message);
  if (positioned !== null) {
    const { line, column } = lineAndColumn(text, Number(positioned[2]));
    return { reason: positioned[1] ?? 'invalid JSON', line, column };
  }
  if (message === 'Unexpected end of JSON input') {
    const { line, column } = lineAndColumn(text, text.length);
    return { reason: 'unexpected end of input', line, column };
  }
  if (message.startsWith('Unexpected token')) return { reason: 'unexpected token', line: undefined, column: undefined };
  return { reason: 'not valid JSON', line: undefined, column: undefined };
}

/** `reason at line L column C`, or just the reason when the position is unknown. */
export function formatJsonSyntaxProblem(problem: JsonSyntaxProblem, withLine = true): string {
  if (problem.line === undefined || problem.column === undefined) return problem.reason;
  return withLine ? `${problem.reason} at line ${problem.line} column ${problem.column}` : `${problem.reason} at column ${problem.column}`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}
