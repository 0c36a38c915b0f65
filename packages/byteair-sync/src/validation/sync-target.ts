import { DateTime } from 'luxon';
import { isOfflineStage, isStage, STAGES, type OfflineStage, type Stage } from '../byteair/stage.js';
import type { Clock } from '../clock.js';
import type { TopicConfig } from '../config/config.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/** Edge checks of "where does this data go": topic, stage and data date. Pure; clock injected. */

export function parseTopic(value: unknown, topics: readonly TopicConfig[], field = 'topic'): TopicConfig {
  const found = topics.find((t) => t.name === value);
  if (found === undefined) throw new InvalidInputError(field, value, `is not a configured topic (BYTEAIR_TOPICS: ${topics.map((t) => t.name).join(', ')})`);
  return found;
}

export function parseStage(value: unknown, field = 'stage'): Stage {
  if (!isStage(value)) throw new InvalidInputError(field, value, `must be one of ${STAGES.join(', ')}`);
  return value;
}

export function parseOfflineStage(value: unknown, field = 'stage'): OfflineStage {
  const stage = parseStage(value, field);
  if (!isOfflineStage(stage))
    throw new InvalidInputError(
      field,
      value,
      'must be an offline stage (pre_sync, history_sync, incremental_sync_daily); streaming data is pushed, not batched',
    );
  return stage;
}

/**
 * The earliest data date taken. A day before it is a typo (`0001-01-01`, `1900-01-01`), not
 * data: it would open a batch that is kept and shown as if real, and the years below 1 cannot
 * even be sent (the Done request's protobuf Date reads year 0 as "unset", so that Done is
 * refused and the batch never closes).
 */
export const EARLIEST_DATA_DATE = '2000-01-01';

/**
 * A data date: `YYYY-MM-DD` (also accepted: `YYYYMMDD`), a real calendar day, not before
 * EARLIEST_DATA_DATE and not after today in the zone that defines data dates. Returns the
 * canonical `YYYY-MM-DD`.
 */
export function parseDataDate(value: unknown, zone: string, clock: Clock, field = 'date'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidInputError(field, value, 'is required for offline stages, as YYYY-MM-DD');
  const text = value.trim();
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (match === null) throw new InvalidInputError(field, value, 'must be a date as YYYY-MM-DD');
  const date = DateTime.fromObject({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }, { zone });
  if (!date.isValid) throw new InvalidInputError(field, value, `is not a calendar date (${date.invalidExplanation ?? 'invalid'})`);
  const canonical = date.toISODate() ?? text;
  // Four-digit years with leading zeros compare as dates in ISO form.
  if (canonical < EARLIEST_DATA_DATE) throw new InvalidInputError(field, value, `is before ${EARLIEST_DATA_DATE}, the earliest data date taken`);
  const today = DateTime.fromMillis(clock.now(), { zone }).startOf('day');
  if (date.startOf('day') > today) throw new InvalidInputError(field, value, `is in the future (today is ${today.toISODate() ?? '?'} in ${zone})`);
  return canonical;
}

/** A streaming-only topic never takes daily data (DESIGN.md invariant 5). */
export function assertStageAllowedForTopic(topic: TopicConfig, stage: Stage, field = 'stage'): void {
  if (topic.mode === 'streaming-only' && stage === 'incremental_sync_daily') {
    throw new InvalidInputError(
      field,
      stage,
      `topic "${topic.name}" is declared streaming-only (BYTEAIR_STREAMING_ONLY_TOPICS) and may never upload daily data`,
    );
  }
}
