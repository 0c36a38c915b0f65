import type { BatchRef } from '../batches/batch-id.js';
import type { Clock } from '../clock.js';
import type { TopicConfig } from '../config/config.js';
import { assertStageAllowedForTopic, parseDataDate, parseOfflineStage, parseTopic } from '../validation/sync-target.js';

export interface BatchPathRules {
  readonly topics: readonly TopicConfig[];
  readonly dateZone: string;
}

/**
 * The (topic, stage, date) of a `/batches/{topic}/{stage}/{date}` path, checked without
 * touching Redis: a refused path must not open a batch (an open batch holds later stages
 * back until it is sealed). Errors name the path parameter: `topic`, `stage` or `date`.
 */
export function batchRefOfPath(params: Readonly<Record<string, string | undefined>>, rules: BatchPathRules, clock: Clock): BatchRef {
  const topic = parseTopic(params.topic, rules.topics);
  const stage = parseOfflineStage(params.stage);
  assertStageAllowedForTopic(topic, stage);
  return { topic: topic.name, stage, date: parseDataDate(params.date, rules.dateZone, clock) };
}
