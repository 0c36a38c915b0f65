import type { Command } from 'commander';
import { ByteairSyncError } from '../../errors/byteair-sync-error.js';
import { runAction } from '../run-action.js';
import type { RegisterCommand } from './index.js';

/**
 * The package that brings the `emulator` and `demo` commands. It is the project's test
 * instrument, so the product does not depend on it: it is named as a string (no static
 * import, so the product builds and installs without it) and loaded only when one of its
 * commands is asked for.
 */
const EMULATOR_PACKAGE = 'byteair-emulator';
const EMULATOR_COMMANDS = `${EMULATOR_PACKAGE}/cli`;

export class EmulatorNotInstalledError extends ByteairSyncError {
  readonly code = 'EMULATOR_NOT_INSTALLED';

  constructor(command: string) {
    super(
      `"byteair-sync ${command}" comes with the ${EMULATOR_PACKAGE} package, which is not installed: run "npm install --save-dev ${EMULATOR_PACKAGE}" (a checkout of byteair-sync has it)`,
      { command },
    );
  }
}

type EmulatorCommandName = 'registerEmulator' | 'registerDemo';

/**
 * Loads one register function of byteair-emulator's CLI module. Without the package the
 * command still exists (so `--help` lists it and a script gets a clear answer), and
 * running it fails with EMULATOR_NOT_INSTALLED.
 */
export async function loadEmulatorCommand(command: string, exportName: EmulatorCommandName, description: string): Promise<RegisterCommand> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(EMULATOR_COMMANDS)) as Record<string, unknown>;
  } catch (error) {
    if (!isMissingPackage(error)) throw error;
    return (program: Command) => {
      program
        .command(command)
        .description(`${description} (needs the ${EMULATOR_PACKAGE} package)`)
        .allowUnknownOption()
        .allowExcessArguments()
        .action(runAction(() => Promise.reject(new EmulatorNotInstalledError(command))));
    };
  }
  const register = loaded[exportName];
  if (typeof register !== 'function') throw new TypeError(`${EMULATOR_COMMANDS} does not export ${exportName}: its version does not match byteair-sync's`);
  return register as RegisterCommand;
}

function isMissingPackage(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error) || error.code !== 'ERR_MODULE_NOT_FOUND') return false;
  // Only the package itself being absent: a module missing inside an installed package is a real fault.
  return error.message.includes(`'${EMULATOR_PACKAGE}'`) || error.message.includes(`"${EMULATOR_PACKAGE}"`) || error.message.includes(`'${EMULATOR_COMMANDS}'`);
}
