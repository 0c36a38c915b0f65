#!/usr/bin/env node
import { Command } from 'commander';
import { reportError } from './run-action.js';
import { COMMANDS } from './commands/index.js';

/** The `byteair-sync` command: one sub-command per file in ./commands, registered below. */
export function buildProgram(): Command {
  const program = new Command('byteair-sync')
    .description('Durable, rate-limited uploads to the Volcengine recommendation (ByteAir) data API.\nConfigured by environment variables (see README, "Configuration").')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const register of COMMANDS) register(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.exitCode = reportError(error);
  });
