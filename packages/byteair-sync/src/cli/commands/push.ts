import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { parseJsonLine } from '../../import/jsonl-records.js';
import { LineSplitter, type TextLine } from '../../import/line-splitter.js';
import { readerLimitsFor } from '../../import/source-record.js';
import { utf8Text } from '../../import/utf8-text.js';
import { PUSH_GROUP, type StreamIntake } from '../../streaming/stream-intake.js';
import { serializeRecord } from '../../validation/json-record.js';
import { parseTopic } from '../../validation/sync-target.js';
import { withOperations } from '../operations-session.js';
import { requiredFlag } from '../required-flag.js';
import { EXIT_CODES_HELP, runAction } from '../run-action.js';
import { exitBadInputOnUsageErrors } from '../usage-errors.js';

interface PushFlags {
  readonly topic?: string;
  readonly group: string;
}

const HELP_AFTER = `
Reads NDJSON (one JSON object per line; blank lines skipped) from standard input and pushes
it into the topic's durable streaming intake (incremental_sync_streaming), as it arrives: a
group is pushed when it is full (--group) or when the input pauses, and each push returns
only once Redis holds its records. Workers cut the intake into uploads; a topic that is not
streaming-only is held until its first incremental_sync_daily Done.

Prints how many records were accepted. A bad line stops the push with its line number; the
lines before it stay accepted and the message says from which line to push again. A full
intake (BYTEAIR_STREAM_INTAKE_CAP) refuses a group whole and stops the push the same way.
Streaming records have no content-derived id: pushing the same lines twice sends them twice.

Configured by the environment (REDIS_URL, BYTEAIR_REDIS_PREFIX, BYTEAIR_TOPICS, ...; see
README "Configuration").

${EXIT_CODES_HELP}

Examples:
  tail -F events.ndjson | byteair-sync push --topic behavior
  byteair-sync push --topic user < users.ndjson
`;

export function registerPush(program: Command): void {
  const command = program
    .command('push')
    .description("Push NDJSON records from standard input into a topic's streaming intake, as they arrive.")
    .option('--topic <topic>', 'topic (required), one of BYTEAIR_TOPICS')
    .option('--group <n>', `records per push (1-${PUSH_GROUP}); each push is all-or-nothing`, '1000')
    .addHelpText('after', HELP_AFTER)
    .action(runAction((flags: PushFlags) => runPush(flags)));
  exitBadInputOnUsageErrors(command);
}

function groupSize(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > PUSH_GROUP)
    throw new InvalidInputError('--group', text, `must be a whole number from 1 to ${PUSH_GROUP}`);
  return value;
}

async function runPush(flags: PushFlags): Promise<number> {
  const config = loadConfig(process.env);
  const topic = parseTopic(requiredFlag(flags.topic, '--topic', 'the topic to push to, one of BYTEAIR_TOPICS'), config.topics, '--topic').name;
  const size = groupSize(flags.group);
  return await withOperations(config, async ({ intake }) => {
    const pusher = new GroupPusher(intake, topic, size);
    const maxBytes = config.limits.maxRequestBytes;
    const lines = new LineSplitter('stdin', readerLimitsFor(maxBytes).maxRecordChars);
    const take = async (line: TextLine): Promise<void> => {
      const found = parseJsonLine(line, 'stdin');
      if (found === undefined) return;
      const field = `stdin line ${line.line}`;
      // Checked here, line by line, so a bad line never takes the good lines of its group down with it.
      const bytes = Buffer.byteLength(serializeRecord(found.record, field));
      if (bytes + 2 > maxBytes)
        throw new InvalidInputError(field, `${bytes} bytes`, `is larger than one request may carry (BYTEAIR_MAX_REQUEST_BYTES=${maxBytes})`);
      await pusher.add(found.record, line.line);
    };
    try {
      for await (const text of utf8Text(process.stdin, 'stdin', { bytesRead: 0 })) {
        for (const line of lines.push(text)) await take(line);
        // Nothing more is waiting: push what we have rather than hold it for more input.
        if (process.stdin.readableLength === 0) await pusher.flush();
      }
      const last = lines.end();
      if (last !== undefined) await take(last);
      await pusher.flush();
    } catch (caught) {
      let error = caught;
      // The lines before a bad one are good: they go in before the push stops.
      if (error instanceof InvalidInputError) {
        try {
          await pusher.flush();
        } catch (flushError) {
          error = flushError;
        }
      }
      const stoppedAt = pusher.firstUnpushedLine > 0 ? pusher.firstUnpushedLine : lines.line;
      process.stdout.write(
        `accepted ${pusher.accepted} records into the streaming intake of ${topic}; stopped at line ${stoppedAt}: nothing from that line on was pushed (the reason is on stderr)\n`,
      );
      throw error;
    }
    if (pusher.accepted === 0) throw new InvalidInputError('stdin', 'no records', 'holds no records; push reads NDJSON, one JSON object per line');
    process.stdout.write(`accepted ${pusher.accepted} records into the streaming intake of ${topic}\n`);
    return 0;
  });
}

/** Collects records into groups and pushes each whole; remembers where the unpushed ones start. */
class GroupPusher {
  readonly #intake: StreamIntake;
  readonly #topic: string;
  readonly #size: number;
  #group: unknown[] = [];
  #groupLine = 0;
  accepted = 0;

  constructor(intake: StreamIntake, topic: string, size: number) {
    this.#intake = intake;
    this.#topic = topic;
    this.#size = size;
  }

  /** Line of the first record not pushed yet (0 when none waits). */
  get firstUnpushedLine(): number {
    return this.#groupLine;
  }

  async add(record: unknown, line: number): Promise<void> {
    if (this.#group.length === 0) this.#groupLine = line;
    this.#group.push(record);
    if (this.#group.length >= this.#size) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#group.length === 0) return;
    const { accepted } = await this.#intake.push(this.#topic, this.#group);
    this.accepted += accepted;
    this.#group = [];
    this.#groupLine = 0;
  }
}
