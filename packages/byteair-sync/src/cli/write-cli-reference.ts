import { readFileSync, writeFileSync } from 'node:fs';
import { REFERENCE_HELP_WIDTH, renderCliReference } from './cli-reference.js';
import { buildProgram } from './program.js';

/**
 * Rewrites docs/cli.md from the commands' own help:
 *   npm run build && node packages/byteair-sync/dist/src/cli/write-cli-reference.js [docs/cli.md]
 * test/cli/cli-reference.test.ts fails while the file is out of date.
 */
const path = process.argv[2] ?? 'docs/cli.md';
const after = renderCliReference(await buildProgram({ helpWidth: REFERENCE_HELP_WIDTH }));
let before = '';
try {
  before = readFileSync(path, 'utf8');
} catch {
  // A missing file is simply written.
}
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? `${path}: already current\n` : `${path}: rewritten\n`);
