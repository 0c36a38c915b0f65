/** The local ByteAir data API emulator: `startEmulator(options)` and the types around it. */
export { startEmulator, type DowntimeHandle, type OutageHandle, type RunningEmulator } from './emulator-server.js';
export {
  DEFAULT_ID_FIELDS,
  DEFAULT_TOPICS,
  EMULATOR_DEFAULTS,
  type EmulatorLimits,
  type EmulatorOptions,
  type EmulatorTenant,
  type EmulatorTopic,
  type RefusalAnswer,
} from './emulator-options.js';
export type { DateStats, DoneStats, EmulatorStats, EmulatorTotals, FaultCounts, OrderingViolationStats, TopicStats, WindowStats } from './emulator-stats.js';
export { NO_FAULTS, type Faults, type FaultsPatch } from './faults.js';
export type { RecordRejectionRule } from './record-rules.js';
export { OUTAGE_MODES, type OutageMode } from './admin-routes.js';
export { AUTH_FAILURE_REASONS, type AuthFailureReason } from './request-auth.js';
export { ADMIN_PREFIX } from './request-route.js';
export { EmulatorClosedError, EmulatorListenError } from './emulator-errors.js';
