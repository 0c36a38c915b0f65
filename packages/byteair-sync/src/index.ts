/**
 * The package entry point (`import { openSyncClient } from 'byteair-sync'`). Everything a
 * program outside this repository may rely on is named here; anything else is internal and
 * may change without notice.
 */

// Producing data: offline batches and streaming.
export { openSyncClient, SyncClient, type PushOptions, type SyncClientOptions, type TopicStream } from './sync-client.js';
export type { AddProgress, AddResult, OfflineBatch, SealResult } from './producer/offline-batch.js';
export type { PushResult } from './streaming/stream-intake.js';
export type { BatchStatus } from './batches/batch-store.js';
export type { BatchState } from './batches/batch-state.js';
export type { StoredRejection } from './batches/rejected-store.js';
export type { RejectedRow } from './operations/sync-operations.js';
export type { FailedJobView, ReplayFilter } from './operations/replay-filter.js';
export type { QueueCounts, StageProgress, SyncStatus, TopicStatus } from './operations/sync-status.js';
export type { DailyFreshness, FreshnessState } from './freshness/daily-freshness.js';
export type { RedisMemory } from './redis/redis-memory.js';
export { OFFLINE_STAGES, STAGES, STREAMING_STAGE, type OfflineStage, type Stage } from './byteair/stage.js';

// Running workers inside your own process (the `byteair-sync worker` command does the same).
export { startSyncWorker, WORKER_ROLES, type RunningSyncWorker, type SyncWorkerOptions, type WorkerRole } from '../workers/sync-worker.js';

// Configuration.
export { loadConfig } from './config/load-config.js';
export type { Config, TopicConfig } from './config/config.js';

// Errors: switch on `code`; `message` names the field and the value and never holds a secret.
export { ByteairSyncError } from './errors/byteair-sync-error.js';
export { InvalidInputError } from './errors/invalid-input-error.js';
export { ConfigError } from './config/config-error.js';
export { BatchClosedError, BatchNotFoundError, EmptyBatchError } from './batches/batch-errors.js';
export { IntakeFullError } from './streaming/intake-errors.js';
export { ModeChangeRefusedError } from './guard/guard-errors.js';
export {
  ApiError,
  AuthRejectedError,
  RateLimitedError,
  RequestAbortedError,
  RequestRejectedError,
  StageRejectedError,
  UpstreamUnavailableError,
} from './byteair/api-errors.js';
