import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { RedisClient } from '../redis/connection.js';
import type { Keyspace } from '../redis/keyspace.js';
import {
  adviceAt,
  initialCircuitState,
  resolveCircuitOptions,
  sameCircuitState,
  stepCircuit,
  type CircuitEvent,
  type CircuitOptions,
  type CircuitState,
  type CircuitStep,
} from './circuit-rules.js';
import { CIRCUIT_CAS, CIRCUIT_READ } from './circuit-scripts.js';
import { LimiterProtocolError } from './limiter-errors.js';
import type { CircuitAdmission, CircuitBreaker, CircuitSnapshot } from './rate-limiter.js';

export interface RedisCircuitBreakerDeps {
  readonly redis: RedisClient;
  readonly keys: Keyspace;
  readonly options?: Partial<CircuitOptions>;
  /** Ids for probe slots; injectable like any other randomness. */
  readonly newProbeId?: () => string;
}

interface Reading {
  readonly state: CircuitState;
  readonly version: string;
  readonly now: number;
}

/**
 * Compare-and-set retries one caller may need before giving up. Each failed attempt means
 * another caller's transition landed, so the circuit made progress; this only bounds a
 * pathological storm.
 */
const MAX_ATTEMPTS = 1_000;

/**
 * The circuit breaker shared by every worker (DESIGN.md invariant 7): one hash in Redis,
 * changed only by versioned compare-and-set of states computed by circuit-rules.ts, on Redis
 * TIME. Reads that change nothing (admit while closed, a success with no failures counted)
 * cost one round trip and write nothing.
 */
export class RedisCircuitBreaker implements CircuitBreaker {
  readonly options: CircuitOptions;
  readonly #redis: RedisClient;
  readonly #keys: Keyspace;
  readonly #newProbeId: () => string;

  constructor(deps: RedisCircuitBreakerDeps) {
    this.options = resolveCircuitOptions(deps.options);
    this.#redis = deps.redis;
    this.#keys = deps.keys;
    this.#newProbeId = deps.newProbeId ?? (() => randomUUID());
  }

  async admit(): Promise<CircuitAdmission> {
    return (await this.#apply({ kind: 'admit', probeId: this.#newProbeId() })).admission;
  }

  async recordSuccess(admission: CircuitAdmission): Promise<void> {
    await this.#apply({ kind: 'success', admission });
  }

  async recordFailure(admission: CircuitAdmission): Promise<{ readonly open: boolean; readonly retryInMs: number }> {
    const { admission: advice } = await this.#apply({ kind: 'failure', admission });
    return advice.kind === 'open' ? { open: true, retryInMs: advice.retryInMs } : { open: false, retryInMs: 0 };
  }

  async snapshot(): Promise<CircuitSnapshot> {
    const { state } = await this.#read();
    return { state: state.phase, consecutiveFailures: state.failures, reopensAt: state.reopensAt, cooldownMs: state.cooldownMs, openedAt: state.openedAt };
  }

  /** What a caller asking now would hear, without changing anything (for status pages). */
  async advice(): Promise<CircuitAdmission> {
    const { state, now } = await this.#read();
    return adviceAt(state, now, this.options);
  }

  async #apply(event: CircuitEvent): Promise<CircuitStep> {
    let reading = await this.#read();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const step = stepCircuit(reading.state, event, reading.now, this.options);
      if (sameCircuitState(step.state, reading.state)) return step;
      const reply = await CIRCUIT_CAS.run(this.#redis, [this.#keys.circuit], [reading.version, ...serialize(step.state)]);
      if (!Array.isArray(reply) || reply.length === 0) throw new LimiterProtocolError(`circuit compare-and-set answered ${JSON.stringify(reply)}`);
      if (Number(reply[0]) === 1) return step;
      reading = this.#parse(reply.slice(1));
    }
    throw new LimiterProtocolError(`circuit state kept changing under ${MAX_ATTEMPTS} attempts to apply ${event.kind}`);
  }

  async #read(): Promise<Reading> {
    const reply = await CIRCUIT_READ.run(this.#redis, [this.#keys.circuit], []);
    if (!Array.isArray(reply)) throw new LimiterProtocolError(`circuit read answered ${JSON.stringify(reply)}`);
    return this.#parse(reply);
  }

  /** [now, field, value, ...] → state; an absent hash is a closed circuit at version 0. */
  #parse(reply: readonly unknown[]): Reading {
    const now = Number(reply[0]);
    const fields = new Map<string, string>();
    for (let i = 1; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), String(reply[i + 1]));
    const base = initialCircuitState(this.options);
    const phase = fields.get('phase');
    const number = (name: string, fallback: number): number => {
      const value = fields.get(name);
      return value === undefined ? fallback : Number(value);
    };
    const state: CircuitState = {
      phase: phase === 'open' || phase === 'half-open' ? phase : 'closed',
      failures: number('failures', 0),
      cooldownMs: number('cooldownMs', base.cooldownMs),
      openedAt: number('openedAt', 0),
      reopensAt: number('reopensAt', 0),
      probeId: (fields.get('probeId') ?? '') === '' ? null : (fields.get('probeId') ?? null),
      probeLeaseUntil: number('probeLeaseUntil', 0),
    };
    if (!Number.isFinite(now)) throw new LimiterProtocolError(`circuit read answered a bad time: ${String(reply[0])}`);
    return { state, version: fields.get('v') ?? '0', now };
  }
}

function serialize(state: CircuitState): string[] {
  return [
    'phase',
    state.phase,
    'failures',
    String(state.failures),
    'cooldownMs',
    String(state.cooldownMs),
    'openedAt',
    String(state.openedAt),
    'reopensAt',
    String(state.reopensAt),
    'probeId',
    state.probeId ?? '',
    'probeLeaseUntil',
    String(state.probeLeaseUntil),
  ];
}

/** The breaker a worker uses, from the validated config. */
export function createCircuitBreaker(
  redis: RedisClient,
  keys: Keyspace,
  circuit: Config['circuit'],
  extra: Pick<RedisCircuitBreakerDeps, 'newProbeId'> & { probeLeaseMs?: number } = {},
): RedisCircuitBreaker {
  return new RedisCircuitBreaker({
    redis,
    keys,
    options: {
      threshold: circuit.threshold,
      cooldownMs: circuit.cooldownMs,
      maxCooldownMs: circuit.maxCooldownMs,
      ...(extra.probeLeaseMs === undefined ? {} : { probeLeaseMs: extra.probeLeaseMs }),
    },
    ...(extra.newProbeId === undefined ? {} : { newProbeId: extra.newProbeId }),
  });
}
