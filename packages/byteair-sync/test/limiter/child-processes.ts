import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { PRODUCT_ROOT, PROJECT_ROOT } from '../../../../test/support/shared.js';
import type { ChildParams, ChildReport } from './fixtures/limiter-child.js';

// The child imports the product by package name (byteair-sync/internal/...), so it runs the
// product's own build (packages/byteair-sync/dist), as a worker does.
const CHILD_JS = join(PROJECT_ROOT, 'dist', 'packages', 'byteair-sync', 'test', 'limiter', 'fixtures', 'limiter-child.js');
const SOURCES = [
  join(PRODUCT_ROOT, 'src', 'limiter'),
  join(PRODUCT_ROOT, 'src', 'redis'),
  join(PRODUCT_ROOT, 'src', 'errors'),
  join(PRODUCT_ROOT, 'test', 'limiter', 'fixtures'),
];

function newestSourceMtime(): number {
  let newest = 0;
  for (const dir of SOURCES) {
    for (const name of readdirSync(dir)) if (name.endsWith('.ts')) newest = Math.max(newest, statSync(join(dir, name)).mtimeMs);
  }
  return newest;
}

/**
 * The children run the compiled build, as production does. If it is missing or older than
 * the limiter sources, build it (`tsc -b`: the product first, then the tests).
 */
export function ensureChildBuilt(): string {
  const fresh = (): boolean => existsSync(CHILD_JS) && statSync(CHILD_JS).mtimeMs >= newestSourceMtime();
  if (!fresh()) spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', PROJECT_ROOT], { stdio: 'ignore' });
  if (!fresh()) throw new Error(`could not build ${CHILD_JS}; run \`npx tsc -b\` and look at its errors`);
  return CHILD_JS;
}

interface RunningChild {
  readonly process: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly lines: AsyncIterator<string>;
}

/** Starts every child, waits until all are connected, then lets them go together until `endAt` (Redis time). */
export async function runLimiterChildren(params: readonly ChildParams[], endAtFromNow: () => Promise<number>): Promise<ChildReport[]> {
  const script = ensureChildBuilt();
  const children: RunningChild[] = params.map((p) => {
    const child = spawn(process.execPath, [script, JSON.stringify(p)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => {
      if (code !== 0) process.stderr.write(`limiter child exited ${code}: ${stderr}\n`);
    });
    return { process: child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
  });
  try {
    for (const child of children) {
      const ready = await child.lines.next();
      if (ready.done === true || ready.value !== 'ready') throw new Error(`limiter child did not start: ${String(ready.value)}`);
    }
    const endAt = await endAtFromNow();
    for (const child of children) child.process.stdin.write(`go ${endAt}\n`);
    const reports: ChildReport[] = [];
    for (const child of children) {
      const line = await child.lines.next();
      if (line.done === true) throw new Error('limiter child ended without a report');
      reports.push(JSON.parse(line.value) as ChildReport);
    }
    return reports;
  } finally {
    await Promise.all(
      children.map(async ({ process: child }) => {
        child.stdin.end();
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
      }),
    );
  }
}
