import { execFile } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { parseJobData } from 'byteair-sync/internal/src/queue/job-data.js';
import type { OperationsHandle } from 'byteair-sync/internal/src/operations/open-operations.js';
import { RedisBlobStore } from 'byteair-sync/internal/src/batches/blob-store.js';
import { testEnv } from './pipeline.js';
import type { TestRedis } from './redis.js';
import { CLI_PATH, type CliRun } from './run-cli.js';

/** The environment an operator's shell would have: this file's Redis and prefix, fake credentials. */
export function operatorEnv(redis: TestRedis, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return testEnv(redis, { BYTEAIR_DATE_ZONE: 'UTC', ...extra });
}

/** Runs the built command with `input` on its standard input (closed after it), like `cmd < file`. */
export function runCliWithInput(args: readonly string[], env: Readonly<Record<string, string>>, input: string | Buffer): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI_PATH, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(`the command did not exit by itself (${error.signal ?? error.message})`, { cause: error }));
          return;
        }
        resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
      },
    );
    // The command may stop reading early (a bad line); the rest of the input is then unwanted.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** Every record queued for upload in a batch, in chunk order, read back from the stored gzip bodies. */
export async function queuedRecords(ops: OperationsHandle, batchId: string): Promise<unknown[][]> {
  const blobs = new RedisBlobStore(ops.redis, ops.keys);
  const jobs = await ops.queues.upload.getJobs(['waiting', 'prioritized', 'delayed']);
  const mine = jobs.map((job) => parseJobData(job.data)).filter((data) => data.kind === 'write' && data.batchId === batchId);
  const chunks: Array<{ at: number; id: string; records: unknown[] }> = [];
  for (const data of mine) {
    if (data.kind !== 'write') continue;
    const body = await blobs.get(data.blobKey);
    if (body === null) throw new Error(`blob ${data.blobKey} is missing`);
    chunks.push({ at: data.enqueuedAt, id: data.requestId, records: JSON.parse(gunzipSync(body).toString('utf8')) as unknown[] });
  }
  return chunks.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)).map((c) => c.records);
}
