import { Option, type Command } from 'commander';
import type { Writable } from 'node:stream';
import { loadConfig } from 'byteair-sync/internal/src/config/load-config.js';
import { raiseFrontDoorPriority, type FrontDoorPriority } from '../emulator/front-door-priority.js';
import { startEmulator, ADMIN_PREFIX, DEFAULT_ID_FIELDS, OUTAGE_MODES, type RunningEmulator } from '../index.js';
import { createLogger } from 'byteair-sync/internal/src/observability/logger.js';
import { runAction } from 'byteair-sync/internal/src/cli/run-action.js';
import {
  DEFAULT_EMULATOR_PORT,
  FAKE_CREDENTIALS,
  idFieldFlag,
  idFlag,
  instantFlag,
  numberFlag,
  oddAnswerFlag,
  probabilityFlag,
  rejectRecordFlag,
  requiredFlag,
  resolveEmulatorCommand,
  textFlag,
  topicListFlag,
  zoneFlag,
  type EmulatorFlags,
  type ResolvedCommand,
} from './emulator-flags.js';

const SECONDS = numberFlag(0.001, 86_400);
const MILLISECONDS = numberFlag(0, 600_000, true);
const PATH_MS = numberFlag(0, 60_000, true);

const HELP_AFTER = `
Credentials: each of --tenant-id, --application-id, --ak, --sk, --token defaults to the project
config (BYTEAIR_TENANT_ID, BYTEAIR_APPLICATION_ID, BYTEAIR_AK/BYTEAIR_SK and BYTEAIR_TOKEN: both
schemes are accepted at once, whichever BYTEAIR_AUTH picks) and otherwise to fake values (${FAKE_CREDENTIALS.tenantId}, ${FAKE_CREDENTIALS.applicationId}, ${FAKE_CREDENTIALS.ak}, ...), which are printed at start.
Record ids for the ledger: ${Object.entries(DEFAULT_ID_FIELDS)
  .map(([t, f]) => `${t}.${f}`)
  .join(', ')} (change with --id-field).
Admin endpoint (JSON): GET ${ADMIN_PREFIX}health | stats | ledger?topic=item[&duplicates=1] | faults;
POST ${ADMIN_PREFIX}faults {"p500":0.1,...} (merge) | outage {"seconds":30,"mode":"refuse|503|reset"} | storm {"seconds":10} | reset.
On start one JSON line {"event":"listening","url":...} goes to stdout; SIGINT/SIGTERM stop it and print the totals.`;

function collect<T>(parse: (raw: string, previous: T[]) => T[]): (raw: string, previous: T[] | undefined) => T[] {
  return (raw, previous) => parse(raw, previous ?? []);
}

export function register(program: Command): void {
  program
    .command('emulator')
    .description('Run a local ByteAir data API (write + done, both auth schemes) for tests, demos and outage rehearsals.')
    .option('--host <host>', 'listen address', textFlag, '127.0.0.1')
    .option('--port <port>', 'listen port (0 = any free port)', numberFlag(0, 65_535, true), DEFAULT_EMULATOR_PORT)
    .option('--tenant-id <id>', 'Tenant-Id accepted', idFlag)
    .option('--application-id <id>', 'application id accepted in the path', idFlag)
    .option('--ak <ak>', 'Volc access key id accepted', textFlag)
    .option('--sk <sk>', 'Volc secret access key', textFlag)
    .option('--token <token>', 'air auth token', textFlag)
    .option('--now <iso>', 'pin the clock (signatures, Request-Id retention, "yesterday") to this instant, e.g. 2022-01-02T03:04:05Z', instantFlag)
    .option('--clock-advances', 'with --now: start the clock there and let it run')
    .option('--topics <list>', 'topics served (default: BYTEAIR_TOPICS, item,user,behavior)', topicListFlag)
    .option('--id-field <topic=field>', 'ledger id field of a topic (repeatable)', collect(idFieldFlag))
    .option('--required <topic=f1,f2>', "fields a topic's records must have, else 1001 (repeatable)", collect(requiredFlag))
    .option('--max-requests-per-second <n>', 'requests per sliding second per application (default 100)', numberFlag(1, 1_000_000, true))
    .option('--max-records-per-second <n>', 'records per sliding second per application (default 50000)', numberFlag(1, 100_000_000, true))
    .option('--no-limits', 'never answer 429 for speed (excesses are still counted)')
    .addOption(new Option('--rate-limit-answer <how>', '429 as protobuf status in HTTP 200, or as HTTP 429').choices(['status', 'http']))
    .addOption(new Option('--auth-failure-answer <how>', '401 as protobuf status in HTTP 200, or as HTTP 401').choices(['status', 'http']))
    .option('--request-id-retention-seconds <s>', 'how long a Request-Id is remembered (default 86400)', numberFlag(1, 365 * 86_400, true))
    .option('--volc-skew-seconds <s>', 'accepted X-Date distance from the clock (default 900)', numberFlag(0, 365 * 86_400))
    .option('--air-skew-seconds <s>', 'accepted Tenant-Ts distance from the clock (default 5)', numberFlag(0, 365 * 86_400))
    .option('--no-front-door-priority', 'do not raise the stamping thread to nice -10 (raised when permitted, so arrival times do not lag under CPU load)')
    .option('--strict-ordering', 'refuse ordering violations with 400 instead of only counting them')
    .option('--streaming-only-topics <list>', 'topics declared streaming-only (default: BYTEAIR_STREAMING_ONLY_TOPICS)', topicListFlag)
    .option('--date-zone <zone>', 'zone of "yesterday" for an empty Done (default: BYTEAIR_DATE_ZONE, Asia/Shanghai)', zoneFlag)
    .option('--in-delay-ms <ms>', 'network model, way in: each request reaches the API (and is stamped) this much later', PATH_MS)
    .option('--in-jitter-ms <ms>', 'way in: up to this much more per request, at random (a connection keeps its order)', PATH_MS)
    .option('--out-delay-ms <ms>', 'network model, way back: each answer reaches its client this much later', PATH_MS)
    .option('--out-jitter-ms <ms>', 'way back: up to this much more per answer, at random', PATH_MS)
    .option('--latency-ms <ms>', 'added to every answer', MILLISECONDS)
    .option('--jitter-ms <ms>', 'up to this much more, at random', MILLISECONDS)
    .option('--p500 <probability>', 'chance of HTTP 500', probabilityFlag)
    .option('--p503 <probability>', 'chance of HTTP 503', probabilityFlag)
    .option('--p-hang <probability>', 'chance of holding the request unanswered (see --hang-ms)', probabilityFlag)
    .option('--p-reset <probability>', 'chance of resetting the connection', probabilityFlag)
    .option('--hang-ms <ms>', 'how long a hung request is held (default 60000)', numberFlag(0, 3_600_000, true))
    .option('--faults-after-apply', 'faults strike after the request was applied (the answer is lost, not the data)')
    .option(
      '--odd-answer <answer>',
      'give every request an answer no SDK defines: http-404 (any 300-599), empty-200, html-200, bad-gzip-200, json-without-status, code-0-not-success, unknown-code, nonzero-code-success',
      oddAnswerFlag,
    )
    .option('--odd-answer-times <n>', 'only the first n requests get --odd-answer (default 0: all)', numberFlag(0, 1_000_000_000, true))
    .option(
      '--reject-record <json>',
      'per-record rejection rule, e.g. \'{"field":"price","missing":true,"reason":"no price"}\' (repeatable)',
      collect(rejectRecordFlag),
    )
    .option('--outage-after <s>', 'start the --outage-seconds outage this long after start', SECONDS, 0)
    .option('--outage-seconds <s>', 'schedule one full outage of this length', SECONDS)
    .addOption(new Option('--outage-mode <mode>', 'how the outage looks').choices(OUTAGE_MODES).default('refuse'))
    .option('--storm-after <s>', 'start the --storm-seconds 429 storm this long after start', SECONDS, 0)
    .option('--storm-seconds <s>', 'answer 429 to everything for this long', SECONDS)
    .addOption(
      new Option('--log-level <level>', 'log level of the JSON log on stderr (default: BYTEAIR_LOG_LEVEL)').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .addHelpText('after', HELP_AFTER)
    .action(
      runAction(async (raw: Partial<EmulatorFlags>) => {
        const flags: EmulatorFlags = { idField: [], required: [], rejectRecord: [], ...raw } as EmulatorFlags;
        const config = loadConfig();
        const resolved = resolveEmulatorCommand(flags, config);
        const logger = createLogger(flags.logLevel ?? config.logLevel, 'emulator');
        const stop = stopSignal();
        await serveEmulator({ ...resolved, options: { ...resolved.options, logger } }, process.stdout, stop.signal);
        stop.dispose();
        return 0;
      }),
    );
}

/** Aborts on the first SIGINT or SIGTERM. */
function stopSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function shown(value: string, source: string, flag: string, configKey: string): string {
  if (source === 'fake') return value;
  return source === 'flag' ? `[from ${flag}]` : `[from ${configKey}]`;
}

/**
 * Starts the emulator, prints one JSON line with its URL and credentials (secrets only when
 * fake), runs the scheduled outage/storm, and stops cleanly when `stop` aborts. `prioritize`
 * raises the calling thread's priority (the emulator process's own; a test serving in its own
 * thread passes a stand-in).
 */
export async function serveEmulator(
  resolved: ResolvedCommand,
  out: Writable,
  stop: AbortSignal,
  prioritize: () => FrontDoorPriority = raiseFrontDoorPriority,
): Promise<RunningEmulator> {
  const emulator = await startEmulator(resolved.options);
  // Threads made after this inherit it; the body threads lower their own to 19 wherever they start.
  const priority: FrontDoorPriority = resolved.frontDoorPriority ? prioritize() : { nice: 0, raised: false, reason: 'turned off (--no-front-door-priority)' };
  const { tenant, sources } = resolved;
  out.write(
    `${JSON.stringify({
      event: 'listening',
      url: emulator.url,
      admin: `${emulator.url}${ADMIN_PREFIX}`,
      tenantId: tenant.tenantId,
      applicationId: tenant.applicationId,
      ak: tenant.ak,
      sk: shown(tenant.sk, sources.sk, '--sk', 'BYTEAIR_SK'),
      token: shown(tenant.token, sources.token, '--token', 'BYTEAIR_TOKEN'),
      credentials: sources,
      clock: resolved.clockDescription,
      frontDoor: priority,
    })}\n`,
  );
  const timers: NodeJS.Timeout[] = [];
  const { outage, storm } = resolved;
  if (outage !== undefined)
    timers.push(setTimeout(() => void emulator.scheduleOutage(outage.seconds, outage.mode).catch(() => undefined), outage.afterSeconds * 1000));
  if (storm !== undefined) timers.push(setTimeout(() => emulator.startStorm(storm.seconds), storm.afterSeconds * 1000));
  await new Promise<void>((resolve) => {
    if (stop.aborted) resolve();
    else stop.addEventListener('abort', () => resolve(), { once: true });
  });
  for (const timer of timers) clearTimeout(timer);
  const { totals } = emulator.stats();
  await emulator.close();
  out.write(`${JSON.stringify({ event: 'stopped', totals })}\n`);
  return emulator;
}
