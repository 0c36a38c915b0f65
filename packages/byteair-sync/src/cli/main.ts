#!/usr/bin/env node
import { buildProgram } from './program.js';
import { reportError } from './run-action.js';

const args = process.argv.slice(2);
buildProgram({ argv: args })
  .then(async (program) => await program.parseAsync(process.argv))
  .catch((error: unknown) => {
    process.exitCode = reportError(error);
  });
