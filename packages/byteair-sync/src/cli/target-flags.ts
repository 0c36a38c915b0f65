import { STREAMING_STAGE, type Stage } from '../byteair/stage.js';
import type { BatchRef } from '../batches/batch-id.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { assertStageAllowedForTopic, parseDataDate, parseOfflineStage, parseStage, parseTopic } from '../validation/sync-target.js';
import { requiredFlag } from './required-flag.js';

export interface TargetFlags {
  readonly topic?: string;
  readonly stage?: string;
  readonly date?: string;
}

/** --topic, --stage and --date of one offline batch, all required and checked at the edge. */
export function batchFlags(flags: TargetFlags, config: Config, clock: Clock): BatchRef {
  const topic = parseTopic(requiredFlag(flags.topic, '--topic', 'the topic, one of BYTEAIR_TOPICS'), config.topics, '--topic');
  const given = requiredFlag(flags.stage, '--stage', 'the offline stage: pre_sync, history_sync or incremental_sync_daily');
  if (given === STREAMING_STAGE)
    throw new InvalidInputError('--stage', given, 'is streaming: streaming records are pushed (byteair-sync push), not imported into a dated batch');
  const stage = parseOfflineStage(given, '--stage');
  assertStageAllowedForTopic(topic, stage, '--stage');
  const date = parseDataDate(requiredFlag(flags.date, '--date', `the data date (YYYY-MM-DD in ${config.dateZone})`), config.dateZone, clock, '--date');
  return { topic: topic.name, stage, date };
}

export interface TargetFilter {
  readonly topic?: string;
  readonly stage?: Stage;
  readonly date?: string;
}

/** Optional --topic, --stage and --date narrowing a listing; each checked when given. */
export function filterFlags(flags: TargetFlags, config: Config, clock: Clock): TargetFilter {
  const topic = flags.topic === undefined ? undefined : parseTopic(flags.topic, config.topics, '--topic').name;
  const stage = flags.stage === undefined ? undefined : parseStage(flags.stage, '--stage');
  if (stage === STREAMING_STAGE && flags.date !== undefined)
    throw new InvalidInputError('--date', flags.date, `cannot narrow ${STREAMING_STAGE}: streaming data has no data date`);
  const date = flags.date === undefined ? undefined : parseDataDate(flags.date, config.dateZone, clock, '--date');
  return { ...(topic === undefined ? {} : { topic }), ...(stage === undefined ? {} : { stage }), ...(date === undefined ? {} : { date }) };
}
