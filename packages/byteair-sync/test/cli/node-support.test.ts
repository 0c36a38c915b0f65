import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { nodeSupportProblem } from '../../src/cli/node-support.js';
import { readPackageInfo } from '../../src/package-info.js';
import { PRODUCT_ROOT } from '../../../../test/support/shared.js';

describe('nodeSupportProblem', () => {
  test.each(['v20.19.0', 'v20.20.2', 'v21.0.0', 'v22.1.0', 'v24.0.0-pre'])('%s satisfies >=20.19', (version) => {
    expect(nodeSupportProblem('>=20.19', version)).toBeUndefined();
  });

  test.each(['v20.18.9', 'v18.20.0', 'v16.0.0'])('%s is refused with one line naming both versions', (version) => {
    const problem = nodeSupportProblem('>=20.19', version);
    expect(problem).toContain('needs Node.js >=20.19');
    expect(problem).toContain(`this is ${version}`);
    expect(problem).not.toContain('\n');
  });

  test('a patch level counts; a range of another form is named', () => {
    expect(nodeSupportProblem('>=20.19.2', 'v20.19.1')).toContain('needs Node.js');
    expect(nodeSupportProblem('^20', 'v20.19.0')).toContain('expected the form >=MAJOR.MINOR');
  });
});

test('the range the CLI checks is package.json engines.node, in the form it reads, and this Node is in it', () => {
  const manifest = JSON.parse(readFileSync(resolve(PRODUCT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; version: string };
  expect(readPackageInfo()).toEqual({ name: 'byteair-sync', version: manifest.version, nodeRange: manifest.engines.node });
  expect(nodeSupportProblem(manifest.engines.node, process.version)).toBeUndefined();
});
