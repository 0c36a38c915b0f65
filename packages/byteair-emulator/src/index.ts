/**
 * byteair-emulator: the test instrument of byteair-sync, kept apart from the product. A local
 * ByteAir data API (`startEmulator` in-process, `spawnEmulator` as a child process), the private
 * Redis and Redis Cluster launchers that tests and the demo run on, and the demo itself. Nothing
 * in the byteair-sync package imports this one, except the CLI's `emulator` and `demo` commands,
 * which load it when it is installed.
 */
export {
  startEmulator,
  DEFAULT_ID_FIELDS,
  DEFAULT_TOPICS,
  EMULATOR_DEFAULTS,
  NO_FAULTS,
  OUTAGE_MODES,
  AUTH_FAILURE_REASONS,
  ADMIN_PREFIX,
  EmulatorClosedError,
  EmulatorListenError,
  type AuthFailureReason,
  type DateStats,
  type DoneStats,
  type DowntimeHandle,
  type EmulatorLimits,
  type EmulatorOptions,
  type EmulatorStats,
  type EmulatorTenant,
  type EmulatorTopic,
  type EmulatorTotals,
  type FaultCounts,
  type Faults,
  type FaultsPatch,
  type OrderingViolationStats,
  type OutageHandle,
  type OutageMode,
  type RecordRejectionRule,
  type RefusalAnswer,
  type RunningEmulator,
  type TopicStats,
  type WindowStats,
} from './emulator/index.js';
export { spawnEmulator, type EmulatorControl, type SpawnEmulatorOptions } from './emulator/emulator-control.js';
export { IdCounts } from './emulator/id-counts.js';
export type { OddAnswer } from './emulator/odd-answers.js';
export { stampsPrioritized, type FrontDoorPriority } from './emulator/front-door-priority.js';
export {
  freePort,
  startPrivateRedis,
  PrivateRedisStartError,
  RedisBinaryMissingError,
  type PrivateRedis,
  type PrivateRedisOptions,
} from './redis/private-redis.js';
export { startPrivateCluster, PrivateClusterStartError, type PrivateCluster } from './redis/private-cluster.js';
