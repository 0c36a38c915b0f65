import { Command } from 'commander';
import { COMMANDS, type CommandEntry } from './commands/index.js';
import { exitBadInputOnUsageErrors } from './usage-errors.js';
import { readPackageInfo } from '../package-info.js';

export interface ProgramOptions {
  /** Fixes the help's wrapping (the reference must not depend on the terminal). */
  readonly helpWidth?: number;
  /**
   * The arguments after the program name: when they name a command, only that command's
   * module is loaded. Without them (or for the overview, `help`, a typo) every command is.
   */
  readonly argv?: readonly string[];
}

/**
 * The `byteair-sync` command tree, without running it: main.ts runs it, and the CLI
 * reference (docs/cli.md) is rendered from it, so the docs cannot drift from --help.
 */
export async function buildProgram(options: ProgramOptions = {}): Promise<Command> {
  const program = new Command('byteair-sync')
    .version(readPackageInfo().version, '-V, --version', 'print the version')
    .description(
      'Durable, rate-limited uploads to the Volcengine recommendation (ByteAir) data API.\nConfigured by environment variables (see README, "Configuration").',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  // Before the commands are added: each copies its parent's settings when created. So a
  // usage error exits 2 (bad input) in every command, and every command wraps alike.
  if (options.helpWidth !== undefined) program.configureHelp({ helpWidth: options.helpWidth });
  exitBadInputOnUsageErrors(program);
  for (const entry of entriesFor(options.argv)) (await entry.load())(program);
  return program;
}

function entriesFor(argv: readonly string[] | undefined): readonly CommandEntry[] {
  const args = (argv ?? []).filter((arg) => !arg.startsWith('-'));
  const name = args[0] === 'help' ? args[1] : args[0];
  const named = COMMANDS.filter((entry) => name !== undefined && entry.names.includes(name));
  return named.length > 0 ? named : COMMANDS;
}
