import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { runWorkerProcess } from '../../../workers/run-worker.js';
import { WORKER_ROLES, type WorkerRole } from '../../../workers/sync-worker.js';
import { runAction } from '../run-action.js';

function parseRoles(value: string): WorkerRole[] {
  const roles = value
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');
  for (const role of roles) {
    if (!(WORKER_ROLES as readonly string[]).includes(role))
      throw new InvalidInputError('--roles', value, `each role must be one of ${WORKER_ROLES.join(', ')}`);
  }
  if (roles.length === 0) throw new InvalidInputError('--roles', value, 'names no role');
  return roles as WorkerRole[];
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Run a worker: uploads chunks (upload), sends Done calls (done) and cuts streaming intake into chunks (batcher). Runs until SIGTERM/SIGINT.')
    .addOption(new Option('--roles <roles>', `comma list of ${WORKER_ROLES.join(', ')}`).default(WORKER_ROLES.join(',')))
    .option('--concurrency <n>', 'jobs in flight in this process (overrides BYTEAIR_CONCURRENCY)')
    .action(
      runAction(async (options: { roles: string; concurrency?: string }) => {
        const roles = parseRoles(options.roles);
        const config = loadConfig(process.env, options.concurrency === undefined ? {} : { BYTEAIR_CONCURRENCY: options.concurrency });
        return await runWorkerProcess(config, roles);
      }),
    );
}
