import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PRODUCT_ROOT, PROJECT_ROOT } from './shared.js';

/** The built command, as `npm install -g` would run it; `npm run build` makes it (npm test does). */
export const CLI_PATH = resolve(PRODUCT_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the product's compiled `dist/src/cli/main.js ...args` with exactly `env` (plus PATH): nothing leaks in
 * from the developer's shell. Asynchronous on purpose: the scripted API server lives in this
 * process and must keep answering while the command runs.
 */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>>, cwd = PROJECT_ROOT): Promise<CliRun> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: build first with \`npm run build\``);
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [CLI_PATH, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(new Error(`the command did not exit by itself (${error.signal ?? error.message})`, { cause: error }));
        return;
      }
      resolvePromise({ code: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

export const CLI_TENANT_ID = '2100021';
export const CLI_APPLICATION_ID = '12345678';
export const CLI_AK = 'AKLTcliTestKey';
export const CLI_SK = 'cli-test-secret-key';

/** The environment a deployment would set to point the commands at `host` over plain HTTP. */
export function cliApiEnv(host: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    BYTEAIR_HOSTS: host,
    BYTEAIR_SCHEME: 'http',
    BYTEAIR_TENANT_ID: CLI_TENANT_ID,
    BYTEAIR_APPLICATION_ID: CLI_APPLICATION_ID,
    BYTEAIR_AK: CLI_AK,
    BYTEAIR_SK: CLI_SK,
    BYTEAIR_DATE_ZONE: 'UTC',
    BYTEAIR_REQUEST_TIMEOUT_MS: '5000',
    ...extra,
  };
}
