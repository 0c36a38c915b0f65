import type { CircuitAdmission, CircuitSnapshot } from './rate-limiter.js';
import { LimiterOptionError } from './limiter-errors.js';
import { defaultOf } from '../config/settings.js';

/**
 * The circuit breaker's rules as a pure function (DESIGN.md invariant 7):
 *
 *   closed ──`threshold` consecutive upstream-unavailable outcomes──▶ open (cooldown = base)
 *   open ──first admit() at or after reopensAt──▶ half-open: that caller alone gets the probe,
 *        under a lease of cooldown + probeLeaseMs, so a crashed prober cannot wedge the circuit
 *   half-open ──probe succeeds──▶ closed (failures 0, cooldown back to base)
 *   half-open ──probe fails──▶ open again with the cooldown doubled (capped)
 *   half-open ──lease expired──▶ the next admit() becomes the probe
 *
 * A success in closed state resets the consecutive count. Outcomes of calls admitted under
 * an older state (a "closed" call finishing while open, a probe whose lease was taken over)
 * change nothing: only the current probe decides how the circuit leaves half-open.
 * Time is Redis TIME (circuit-breaker.ts reads it with the state), so every process agrees.
 */
export interface CircuitOptions {
  /** Consecutive upstream-unavailable outcomes that open the circuit. Default: BYTEAIR_CIRCUIT_THRESHOLD's (config/settings.ts). */
  readonly threshold: number;
  /** First wait before a probe, ms; doubles per failed probe. Default: BYTEAIR_CIRCUIT_COOLDOWN_MS's. */
  readonly cooldownMs: number;
  /** Cap of the wait between probes, ms (one probe request per this long while the API is down). Default: BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS's. */
  readonly maxCooldownMs: number;
  /** A probe's lease runs for cooldown + this many ms; after that another caller may probe. @default 30 000 */
  readonly probeLeaseMs: number;
  /**
   * While a probe is out, everyone else asks again after this long: the probe's answer ends the
   * outage for all, and whoever waits longer idles through the first moments of the drain. @default 100
   */
  readonly halfOpenPollMs: number;
}

/** threshold and the cooldowns are settings (config/settings.ts); the probe lease is the breaker's own. */
export const CIRCUIT_DEFAULTS: CircuitOptions = Object.freeze({
  threshold: defaultOf('circuitThreshold'),
  cooldownMs: defaultOf('circuitCooldownMs'),
  maxCooldownMs: defaultOf('circuitMaxCooldownMs'),
  probeLeaseMs: 30_000,
  halfOpenPollMs: 100,
});

export interface CircuitState {
  readonly phase: CircuitSnapshot['state'];
  readonly failures: number;
  /** The cooldown of the current (or last) open period, ms. */
  readonly cooldownMs: number;
  readonly openedAt: number;
  readonly reopensAt: number;
  /** The probe holder while half-open, else null. */
  readonly probeId: string | null;
  readonly probeLeaseUntil: number;
}

export function initialCircuitState(options: CircuitOptions): CircuitState {
  return { phase: 'closed', failures: 0, cooldownMs: options.cooldownMs, openedAt: 0, reopensAt: 0, probeId: null, probeLeaseUntil: 0 };
}

export type CircuitEvent =
  /** Someone asks to call; `probeId` is the id they would hold if they became the probe. */
  | { readonly kind: 'admit'; readonly probeId: string }
  | { readonly kind: 'success'; readonly admission: CircuitAdmission }
  | { readonly kind: 'failure'; readonly admission: CircuitAdmission };

export interface CircuitStep {
  readonly state: CircuitState;
  /** For admit: the answer. For outcomes: what a caller asking now would hear. */
  readonly admission: CircuitAdmission;
}

export function stepCircuit(state: CircuitState, event: CircuitEvent, now: number, options: CircuitOptions): CircuitStep {
  const next = nextState(state, event, now, options);
  if (event.kind === 'admit' && next.phase === 'half-open' && next.probeId === event.probeId) {
    return { state: next, admission: { kind: 'probe', probeId: event.probeId } };
  }
  return { state: next, admission: adviceAt(next, now, options) };
}

function nextState(state: CircuitState, event: CircuitEvent, now: number, options: CircuitOptions): CircuitState {
  switch (event.kind) {
    case 'admit':
      if (state.phase === 'open' && now >= state.reopensAt) return grantProbe(state, event.probeId, now, options);
      if (state.phase === 'half-open' && now >= state.probeLeaseUntil) return grantProbe(state, event.probeId, now, options);
      return state;
    case 'success':
      if (event.admission.kind === 'closed' && state.phase === 'closed') return state.failures === 0 ? state : { ...state, failures: 0 };
      if (isCurrentProbe(state, event.admission)) return initialCircuitState(options);
      return state;
    case 'failure':
      if (event.admission.kind === 'closed' && state.phase === 'closed') {
        const failures = state.failures + 1;
        if (failures < options.threshold) return { ...state, failures };
        return open({ ...state, failures }, options.cooldownMs, now);
      }
      if (isCurrentProbe(state, event.admission)) {
        return open({ ...state, failures: state.failures + 1 }, Math.min(options.maxCooldownMs, state.cooldownMs * 2), now);
      }
      return state;
  }
}

function grantProbe(state: CircuitState, probeId: string, now: number, options: CircuitOptions): CircuitState {
  return { ...state, phase: 'half-open', probeId, probeLeaseUntil: now + state.cooldownMs + options.probeLeaseMs };
}

function open(state: CircuitState, cooldownMs: number, now: number): CircuitState {
  return { ...state, phase: 'open', cooldownMs, openedAt: now, reopensAt: now + cooldownMs, probeId: null, probeLeaseUntil: 0 };
}

function isCurrentProbe(state: CircuitState, admission: CircuitAdmission): boolean {
  return admission.kind === 'probe' && state.phase === 'half-open' && state.probeId === admission.probeId;
}

/**
 * What a caller other than the probe hears. While a probe is out, ask again soon
 * (halfOpenPollMs): the probe usually answers within a round trip, and every worker waits
 * out what it heard before it looks again, so a wait of the cooldown (up to 5 s) or even
 * the workers' 1 s re-check would idle the whole fleet through the start of the drain (the
 * outage bench: nothing but the probe in the first second after recovery).
 */
export function adviceAt(state: CircuitState, now: number, options: Pick<CircuitOptions, 'halfOpenPollMs'>): CircuitAdmission {
  switch (state.phase) {
    case 'closed':
      return { kind: 'closed' };
    case 'open':
      return { kind: 'open', retryInMs: Math.max(1, state.reopensAt - now) };
    case 'half-open':
      return { kind: 'open', retryInMs: Math.max(1, Math.min(options.halfOpenPollMs, state.probeLeaseUntil - now)) };
  }
}

export function sameCircuitState(a: CircuitState, b: CircuitState): boolean {
  return (
    a.phase === b.phase &&
    a.failures === b.failures &&
    a.cooldownMs === b.cooldownMs &&
    a.openedAt === b.openedAt &&
    a.reopensAt === b.reopensAt &&
    a.probeId === b.probeId &&
    a.probeLeaseUntil === b.probeLeaseUntil
  );
}

export function resolveCircuitOptions(settings: Partial<CircuitOptions> = {}): CircuitOptions {
  const o = { ...CIRCUIT_DEFAULTS, ...settings };
  check('threshold', o.threshold, 1, 1_000_000);
  check('cooldownMs', o.cooldownMs, 1, 86_400_000);
  check('maxCooldownMs', o.maxCooldownMs, o.cooldownMs, 86_400_000);
  check('probeLeaseMs', o.probeLeaseMs, 1, 86_400_000);
  check('halfOpenPollMs', o.halfOpenPollMs, 1, 86_400_000);
  return Object.freeze(o);
}

function check(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new LimiterOptionError(`circuit.${name}`, value, `must be a whole number from ${min} to ${max}`);
  }
}
