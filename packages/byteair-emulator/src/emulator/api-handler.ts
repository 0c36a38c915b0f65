import { isOfflineStage, isStage, type Stage } from 'byteair-sync/internal/src/byteair/stage.js';
import { okAnswer, partialAnswer, refusal, type ApiAnswer } from './api-answer.js';
import type { JudgeBody, WriteVerdict } from './body-verdict.js';
import { parseContentDate, previousDay } from './data-date.js';
import type { ResolvedEmulatorOptions, ResolvedTopic } from './emulator-options.js';
import type { EmulatorState } from './emulator-state.js';
import { applyToOrder, orderingViolation } from './ordering-rules.js';
import type { RecordRejectionRule } from './record-rules.js';
import { verifyRequestAuth, type CredentialIndex } from './request-auth.js';
import { isBodyProblem } from './request-body.js';

/** One write or done request, its body read in full. */
export interface ApiRequest {
  readonly call: 'write' | 'done';
  readonly method: string;
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly applicationId: string;
  readonly topic: string | undefined;
  readonly stage: string | undefined;
  header(name: string): string | undefined;
  readonly body: Buffer;
  /** Monotonic milliseconds when the request's headers arrived: its place in the rate windows. */
  readonly arrivedAt: number;
}

/** What a request is judged against; faults and storms change at run time. */
export interface ApiContext {
  readonly options: ResolvedEmulatorOptions;
  readonly state: EmulatorState;
  readonly credentials: CredentialIndex;
  recordRules(): readonly RecordRejectionRule[];
  /** Decompresses, parses and checks a body, on a worker thread when there are any. */
  readonly judgeBody: JudgeBody;
  /** Seconds left of a 429 storm, or undefined when none is under way. */
  stormSecondsLeft(): number | undefined;
}

const TOO_MANY_REQUESTS = 'too many requests';
const DUPLICATED = 'duplicated request id';

function stageMessage(stage: string, applicationId: string, topic: string): string {
  return `Syncing is end or not start in stage(${stage}) for tenant/application_id(${applicationId}) topic(${topic}), please check the 'stage'`;
}

/**
 * The API's decision for one write or done call, in the order a server must take it:
 * authenticate, validate, parse, limit, de-duplicate, check date state and ordering, apply.
 * Only an applied request (0 or 1001) changes state or is remembered by Request-Id.
 */
export async function handleApiRequest(request: ApiRequest, context: ApiContext): Promise<ApiAnswer> {
  const { options, state } = context;
  const { call } = request;
  const now = options.clock.now();
  const bad = (reason: string, message: string): ApiAnswer => {
    state.badRequest(reason);
    return refusal(call, 400, message);
  };

  const auth = verifyRequestAuth(request, context.credentials, { now, volcSkewMs: options.volcSkewMs, airSkewMs: options.airSkewMs });
  if (!auth.ok) {
    state.authFailure(auth.reason);
    options.logger?.info({ reason: auth.reason, path: request.path }, 'emulator: authentication failed');
    return refusal(call, 401, auth.message, { http: options.authFailureAnswer === 'http' });
  }

  const applicationId = request.applicationId;
  const tenantId = request.header('tenant-id');
  const forApplication = auth.tenants.filter((t) => t.applicationId === applicationId);
  if (forApplication.length === 0) {
    return bad('application', `Can't find configuration for tenant/application_id:${applicationId}, please check your tenant/application_id and path.`);
  }
  if (!forApplication.some((t) => t.tenantId === tenantId)) {
    return bad('tenant', `Find no data schema of tenant_id(${tenantId ?? ''}) tenant/application_id(${applicationId}), please check your tenant_id and retry`);
  }
  const topic = request.topic === undefined ? undefined : options.topics.get(request.topic);
  if (topic === undefined) return bad('topic', `Can't support scene:${request.topic ?? ''}, please check your scene/topic.`);
  const stage = request.stage;
  // Done closes dates, and streaming has none, so done is offline-only.
  if (!isStage(stage) || (call === 'done' && !isOfflineStage(stage))) return bad('stage', stageMessage(stage ?? '', applicationId, topic.name));
  const requestId = request.header('request-id')?.trim() ?? '';
  if (requestId === '') return bad('request-id', 'Request-Id header is required');
  let date: string | null = null;
  if (call === 'write' && isOfflineStage(stage)) {
    const raw = request.header('content-date');
    date = raw === undefined ? null : (parseContentDate(raw) ?? null);
    if (date === null) {
      return bad(
        'content-date',
        `The value(${raw ?? ''}) of 'Content-Date' header is invalid, please format it like this: '20060102' or '2006-01-02' or RFC3339`,
      );
    }
  }

  const verdict = await context.judgeBody({
    call,
    body: request.body,
    contentEncoding: request.header('content-encoding'),
    contentType: request.header('content-type'),
    topic,
    rules: context.recordRules(),
  });
  if (isBodyProblem(verdict)) return bad(verdict.reason, verdict.message);

  const load = { requests: 1, records: verdict.call === 'write' ? verdict.recordCount : 0 };
  state.windows.observe(applicationId, request.arrivedAt, load);
  state.arrivals.add({ at: request.arrivedAt, epochMs: Date.now() - (options.monotonicNow() - request.arrivedAt), requestId, records: load.records });
  const storm = context.stormSecondsLeft();
  const http429 = options.rateLimitAnswer === 'http';
  if (storm !== undefined) {
    state.count('rateLimited');
    state.count('stormRejected');
    return refusal(call, 429, TOO_MANY_REQUESTS, { http: http429, retryAfterSeconds: storm });
  }
  if (!state.windows.admit(applicationId, request.arrivedAt, load)) {
    state.count('rateLimited');
    return refusal(call, 429, TOO_MANY_REQUESTS, { http: http429, retryAfterSeconds: 1 });
  }

  if (state.requestIds.has(applicationId, requestId, now)) {
    state.count('duplicateRequests');
    if (call === 'write') state.dates.entry(topic.name, stage, date).duplicateRequests += 1;
    return refusal(call, 409, DUPLICATED);
  }
  if (call === 'write' && date !== null && state.dates.isAcked(topic.name, stage, date)) {
    state.dates.entry(topic.name, stage, date).writesRefusedAfterAck += 1;
    return bad('acked', 'Syncing is not allowed when acked.');
  }
  const declared = options.streamingOnlyTopics.has(topic.name);
  const violation = orderingViolation(state.topicOrder(topic.name), stage, declared);
  if (violation !== undefined) {
    state.violation({ kind: violation, call, topic: topic.name, stage, requestId, refused: options.strictOrdering });
    if (options.strictOrdering) return bad('ordering', stageMessage(stage, applicationId, topic.name));
  }

  state.setTopicOrder(topic.name, applyToOrder(state.topicOrder(topic.name), call, stage, declared));
  state.requestIds.remember(applicationId, requestId, now);
  if (verdict.call === 'done') {
    const emptyBody = verdict.dates.length === 0;
    return applyDone(state, {
      applicationId,
      requestId,
      topic: topic.name,
      stage,
      dates: emptyBody ? [previousDay(now, options.dateZone)] : verdict.dates,
      emptyBody,
    });
  }
  return await applyWrite(state, topic, stage, date, verdict);
}

async function applyWrite(state: EmulatorState, topic: ResolvedTopic, stage: Stage, date: string | null, verdict: WriteVerdict): Promise<ApiAnswer> {
  const seq = state.nextSeq();
  const { errors, acceptedIds, acceptedWithoutId } = verdict;
  // The ledger first, the counters after its last slice: a reader who sees N records counted
  // (a test waiting on stats, then reading the ledger) must find all N ids there. Counted
  // first, a 3 000-record write read between slices showed 2 000 ids fewer than counted.
  await state.ledger.acceptAll(topic.name, acceptedIds);
  state.ledger.acceptWithoutId(topic.name, acceptedWithoutId);
  const accepted = acceptedIds.length + acceptedWithoutId;
  state.count('writeRequests');
  state.count('acceptedRecords', accepted);
  state.count('rejectedRecords', errors.length);
  state.count('recordsWithoutId', acceptedWithoutId);
  state.topicRecords(topic.name, accepted, errors.length);
  state.dates.recordWrite(state.dates.entry(topic.name, stage, date), seq, accepted, errors.length);
  return errors.length === 0 ? okAnswer('write') : partialAnswer(errors);
}

function applyDone(
  state: EmulatorState,
  done: { applicationId: string; requestId: string; topic: string; stage: Stage; dates: readonly string[]; emptyBody: boolean },
): ApiAnswer {
  const seq = state.nextSeq();
  const newlyAcked: string[] = [];
  const alreadyAcked: string[] = [];
  for (const date of done.dates) (state.dates.ack(done.topic, done.stage, date, seq) ? newlyAcked : alreadyAcked).push(date);
  state.done({ seq, ...done, dates: [...done.dates], newlyAcked, alreadyAcked });
  return okAnswer('done');
}
