import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { exitBadInputOnUsageErrors } from './usage-errors.js';

/**
 * The `byteair-sync` command tree, without running it: main.ts runs it, and the CLI
 * reference (docs/cli.md) is rendered from it, so the docs cannot drift from --help.
 * `helpWidth` fixes the wrapping (the reference must not depend on the terminal).
 */
export function buildProgram(options: { helpWidth?: number } = {}): Command {
  const program = new Command('byteair-sync')
    .description('Durable, rate-limited uploads to the Volcengine recommendation (ByteAir) data API.\nConfigured by environment variables (see README, "Configuration").')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  // Before the commands are added: each copies its parent's help settings when created.
  if (options.helpWidth !== undefined) program.configureHelp({ helpWidth: options.helpWidth });
  // Also before: every command inherits it, so a usage error exits 2 (bad input) everywhere.
  exitBadInputOnUsageErrors(program);
  for (const register of COMMANDS) register(program);
  return program;
}
