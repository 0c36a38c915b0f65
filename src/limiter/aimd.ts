/**
 * AIMD of the shared ceiling (DESIGN.md invariant 3: "a 429 slows every worker"). The
 * factor scales both ceilings; a 429 multiplies it by `decrease` (never below `floor`), and
 * it climbs back by `recoveryPerSecond` per second of Redis time since the last cut. Nothing
 * ticks: the factor is computed lazily from (stored factor, time it was stored, now), which is
 * why these formulas also exist in Lua (limiter-scripts.ts) and are tested against each other.
 */
export interface AimdOptions {
  /** Multiplier applied by a 429, in (0, 1). @default 0.5 */
  readonly decrease: number;
  /** Lowest factor, in (0, 1]. @default 0.05 */
  readonly floor: number;
  /** Factor regained per second after a cut (linear). 0 = never recovers. @default 0.05 */
  readonly recoveryPerSecond: number;
  /**
   * A 429 within this many ms of the last cut does not cut again: requests already in flight
   * when the first 429 came back were booked under the old ceiling, so their 429s report the
   * same overload. Without it, 20 concurrent 429s would take the factor from 1 to the floor.
   * 0 = every 429 cuts. @default one window (1000 + margin ms)
   */
  readonly holdMs: number;
}

export interface AimdState {
  /** The factor as stored at `storedAt`. */
  readonly factor: number;
  /** Redis time (epoch ms) the factor was stored; recovery counts from here. */
  readonly storedAt: number;
  /** Redis time of the last cut, or null if there never was one. */
  readonly lastCutAt: number | null;
}

export const FULL_SPEED: AimdState = { factor: 1, storedAt: 0, lastCutAt: null };

/** The factor in force at `now`. */
export function factorAt(state: AimdState, now: number, options: AimdOptions): number {
  const elapsedMs = Math.max(0, now - state.storedAt);
  return Math.min(1, state.factor + (options.recoveryPerSecond * elapsedMs) / 1000);
}

/** The state after a 429 at `now`; unchanged while the last cut is younger than holdMs. */
export function afterPenalty(state: AimdState, now: number, options: AimdOptions): AimdState {
  if (state.lastCutAt !== null && now - state.lastCutAt < options.holdMs) return state;
  const factor = Math.max(options.floor, factorAt(state, now, options) * options.decrease);
  return { factor, storedAt: now, lastCutAt: now };
}

/**
 * A ceiling scaled by the factor, rounded down and at least 1. The epsilon keeps products
 * such as 100 × 0.15 = 14.999999999999998 from losing a unit; the Lua uses the same one.
 */
export function effectiveCeiling(ceiling: number, factor: number): number {
  return Math.max(1, Math.floor(ceiling * factor + CEILING_EPSILON));
}

export const CEILING_EPSILON = 1e-9;
