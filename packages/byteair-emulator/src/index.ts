/**
 * byteair-emulator: the test instrument of byteair-sync, kept apart from the product. A local
 * ByteAir data API (`startEmulator` in-process, `spawnEmulator` as a child process), the private
 * Redis and Redis Cluster launchers that tests and the demo run on, and the demo itself. Nothing
 * in the byteair-sync package imports this one, except the CLI's `emulator` and `demo` commands,
 * which load it when it is installed.
 */
export { startEmulator, type DowntimeHandle, type OutageHandle, type RunningEmulator } from './emulator/emulator-server.js';
export {
  DEFAULT_ID_FIELDS,
  DEFAULT_TOPICS,
  EMULATOR_DEFAULTS,
  type EmulatorLimits,
  type EmulatorOptions,
  type EmulatorTenant,
  type EmulatorTopic,
  type RefusalAnswer,
} from './emulator/emulator-options.js';
export type {
  DateStats,
  DoneStats,
  EmulatorStats,
  EmulatorTotals,
  FaultCounts,
  OrderingViolationStats,
  TopicStats,
  WindowStats,
} from './emulator/emulator-stats.js';
export { NO_FAULTS, type Faults, type FaultsPatch } from './emulator/faults.js';
export type { RecordRejectionRule } from './emulator/record-rules.js';
export { OUTAGE_MODES, type OutageMode } from './emulator/admin-routes.js';
export { AUTH_FAILURE_REASONS, type AuthFailureReason } from './emulator/request-auth.js';
export { ADMIN_PREFIX } from './emulator/request-route.js';
export { EmulatorClosedError, EmulatorListenError } from './emulator/emulator-errors.js';
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
