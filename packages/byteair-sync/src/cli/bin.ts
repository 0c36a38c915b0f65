#!/usr/bin/env node
// The installed `byteair-sync` command. It checks the Node.js version before loading the CLI:
// the modules behind main.js may not even load on an unsupported Node.
import { readPackageInfo } from '../package-info.js';
import { nodeSupportProblem } from './node-support.js';

const problem = nodeSupportProblem(readPackageInfo().nodeRange, process.version);
if (problem === undefined) {
  await import('./main.js');
} else {
  process.stderr.write(`error: ${problem}\n`);
  process.exitCode = 2;
}
