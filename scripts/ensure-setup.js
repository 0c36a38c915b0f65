#!/usr/bin/env node
/**
 * Makes a fresh checkout runnable before `npm run demo` and `npm test`: the right Node,
 * node_modules matching package-lock.json, and redis-server (plus Chromium for the tests).
 * Installs what it can (npm ci always; apt-get only as root, as .ci/run does) and otherwise
 * stops with one message saying how to install the missing part. Plain JavaScript on purpose:
 * it runs before anything is compiled, with no dependency installed.
 *
 *   node scripts/ensure-setup.js [--for demo|test]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'demo';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function fail(message) {
  process.stderr.write(`byteair-sync setup: ${message}\n`);
  process.exit(1);
}

function run(command, args) {
  process.stderr.write(`byteair-sync setup: running ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error !== undefined) fail(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

function onPath(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function aptInstall(pkg, why, manual) {
  if (!isRoot) fail(`${why} is missing. Install it, then run this again:\n  ${manual}`);
  const install = spawnSync('apt-get', ['install', '-y', pkg], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install.status !== 0) {
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', pkg]);
  }
}

// package.json says >=20.19: that is where require(esm) and the APIs we rely on are stable.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: byteair-sync needs Node 20.19 or newer (https://nodejs.org)`);

// npm writes node_modules/.package-lock.json on every install: missing or older than the lock file means stale.
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) run('npm', ['ci', '--no-audit', '--no-fund']);

if (!onPath('redis-server')) {
  aptInstall(
    'redis-server',
    'redis-server (the demo and the tests start their own private Redis)',
    'Debian/Ubuntu: sudo apt-get install -y redis-server   macOS: brew install redis   or use docker compose up (see README)',
  );
}

if (purpose === 'test' && !existsSync('/usr/bin/chromium')) {
  aptInstall('chromium', 'Chromium at /usr/bin/chromium (the dashboard browser test drives it headless)', 'Debian/Ubuntu: sudo apt-get install -y chromium');
}
