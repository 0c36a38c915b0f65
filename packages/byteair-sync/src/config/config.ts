import type { TimeOfDay } from '../freshness/time-of-day.js';
import type { Secret } from './secret.js';

export type TopicMode = 'daily-then-streaming' | 'streaming-only';

export interface TopicConfig {
  readonly name: string;
  readonly mode: TopicMode;
  /** pre_sync, then history_sync, then incremental_sync_daily: later stages wait for earlier ones. */
  readonly stageOrder: boolean;
  /** When a date's daily Done is due (on the next day, in the data time zone); null = no expectation. */
  readonly dailyDoneBy: TimeOfDay | null;
}

export type ApiAuth = { readonly kind: 'volc'; readonly ak: string; readonly sk: Secret } | { readonly kind: 'air'; readonly token: Secret };

export interface ApiConfig {
  readonly hosts: readonly string[];
  readonly scheme: 'http' | 'https';
  readonly tenantId: string | undefined;
  readonly applicationId: string | undefined;
  /** The scheme this process signs with (BYTEAIR_AUTH, or the one the credentials imply). */
  readonly auth: ApiAuth | undefined;
  /**
   * Every credential the environment names, whichever scheme `auth` picked: the emulator
   * accepts them all, so a client of either scheme can be pointed at it.
   */
  readonly credentials: { readonly volc?: { readonly ak: string; readonly sk: Secret }; readonly air?: { readonly token: Secret } };
  /** Floor of the call timeout; the timeout in use follows the measured answer times up to timeoutCapMs. */
  readonly timeoutMs: number;
  readonly timeoutCapMs: number;
}

export interface LimitsConfig {
  readonly maxRequestsPerSecond: number;
  readonly maxRecordsPerSecond: number;
  readonly maxRecordsPerRequest: number;
  readonly maxRequestBytes: number;
  /** Floor of the margin; the margin in use follows the measured path spread up to marginCapMs. */
  readonly marginMs: number;
  readonly marginCapMs: number;
}

export interface Config {
  readonly redis: {
    readonly url: string;
    readonly clusterNodes: readonly string[];
    readonly prefix: string;
  };
  readonly api: ApiConfig;
  readonly limits: LimitsConfig;
  readonly dateZone: string;
  readonly topics: readonly TopicConfig[];
  readonly worker: {
    readonly concurrency: number;
    readonly attempts: number;
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
    readonly lockDurationMs: number;
    readonly maxStalledCount: number;
    readonly shutdownTimeoutMs: number;
    readonly keepCompletedSeconds: number;
  };
  readonly streaming: {
    readonly batchSize: number;
    readonly maxWaitMs: number;
    readonly intakeCap: number;
  };
  readonly circuit: {
    readonly threshold: number;
    readonly cooldownMs: number;
    readonly maxCooldownMs: number;
  };
  readonly dashboard: {
    readonly host: string;
    readonly port: number;
    readonly user: string | undefined;
    readonly password: Secret | undefined;
    readonly readOnly: boolean;
    /** IPs and CIDRs whose X-Forwarded-For the login throttle believes. */
    readonly trustedProxies: readonly string[];
  };
  readonly ingest: {
    readonly host: string;
    readonly port: number;
    readonly token: Secret | undefined;
    readonly maxBodyBytes: number;
    /** Bytes of request bodies held at once across every request (read, being parsed or pushed). */
    readonly maxInflightBytes: number;
  };
  /** Limits of every HTTP server the project runs for clients (ingest, dashboard). */
  readonly http: HttpServerLimits;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface HttpServerLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
}
