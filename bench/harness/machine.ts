import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** dist/bench/harness → the project root. */
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface MachineDescription {
  /** The commit measured, and the product's and the emulator's files that differed from it (a shared tree). */
  readonly tree: { readonly head: string; readonly uncommitted: readonly string[] };
  readonly cpu: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly redis: string;
  /** Load averages (1, 5, 15 min) when the bench started: others share this VM. */
  readonly loadAverage: readonly number[];
}

/** What the figures were measured on: a shared, noisy VM makes them meaningless without it. */
export function describeMachine(): MachineDescription {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: keep 'unknown'
  }
  const redis = spawnSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version'], { encoding: 'utf8' });
  const git = (args: readonly string[]): string => spawnSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout.trim();
  return {
    tree: {
      head: git(['rev-parse', '--short', 'HEAD']),
      uncommitted: git(['status', '--porcelain', '--', 'packages'])
        .split('\n')
        .filter((line) => line !== ''),
    },
    cpu,
    cpus: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: /v=(\S+)/.exec(redis.stdout)?.[1] ?? 'unknown',
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
