import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REFERENCE_HELP_WIDTH, renderCliReference } from '../../src/cli/cli-reference.js';
import { buildProgram } from '../../src/cli/program.js';
import { PROJECT_ROOT } from '../../../../test/support/shared.js';

test("docs/cli.md is the reference rendered from every command's own --help", async () => {
  const current = readFileSync(resolve(PROJECT_ROOT, 'docs', 'cli.md'), 'utf8');
  // On failure: npm run build && node packages/byteair-sync/dist/src/cli/write-cli-reference.js
  expect(current).toBe(renderCliReference(await buildProgram({ helpWidth: REFERENCE_HELP_WIDTH })));
});

test('the reference has a section for every command and sub-command, and each section has the options', async () => {
  const reference = renderCliReference(await buildProgram({ helpWidth: REFERENCE_HELP_WIDTH }));
  for (const name of [
    'worker',
    'dashboard',
    'emulator',
    'import',
    'push',
    'seal',
    'status',
    'rejected export',
    'replay',
    'pause',
    'resume',
    'demo',
    'ingest',
    'write',
    'done',
  ]) {
    expect(reference).toContain(`\n## ${name}\n`);
  }
  const importSection = reference.slice(reference.indexOf('\n## import\n'), reference.indexOf('\n## push\n'));
  for (const flag of ['--topic', '--stage', '--date', '--file', '--seal']) expect(importSection).toContain(flag);
});
