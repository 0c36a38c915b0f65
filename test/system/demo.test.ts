import { spawn } from 'node:child_process';
import { assertBuilt, CLI } from '../support/system.js';

async function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

test('the demo runs every stage in order and ends with a balanced reconciliation table', async () => {
  const { code, stdout, stderr } = await runCli(['demo', '--exit', '--streaming-seconds', '3', '--scale', '0.25']);
  expect({ code, stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });
  expect(stdout).toContain('reconciliation: every record accounted for, one Done per date, stages in order');
  expect(stdout).toMatch(/history_sync\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+0\s+30\/30/);
  expect(stdout).toContain('ordering violations: 0');
}, 180_000);

test('bad demo flags exit 2 naming the flag', async () => {
  const { code, stderr } = await runCli(['demo', '--scale', 'lots']);
  expect(code).toBe(2);
  expect(stderr).toContain('--scale');
  expect(stderr).toContain('"lots"');
});
