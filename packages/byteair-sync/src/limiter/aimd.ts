/**
 * AIMD of the shared ceiling (DESIGN.md invariant 3: "a 429 slows every worker"). The
 * factor scales both ceilings; a 429 multiplies it by `decrease` (never below `floor`). How it
 * climbs back depends on whether the 429 was isolated:
 * - an isolated 429 (none cut in the `calmMs` before it: one over-full second, a jitter spike
 *   on the path) holds the cut for `holdMs`, which lets the API's window drain of what was sent
 *   under the old ceiling, then climbs by `fastRecoveryPerSecond` (back to full in 250 ms by
 *   default): the whole cost is about half a second of capacity;
 * - a 429 that follows another within `calmMs` means the ceiling really is too high (a lower
 *   quota, a shared application): it climbs from the cut by `recoveryPerSecond`, slowly, so
 *   the ceiling settles under what the API takes.
 * The state stores the rate it climbs at and the instant the climb starts. Nothing ticks: the factor is computed lazily from (stored factor, time it was stored, now), which is
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
  /** Factor regained per second after an isolated 429, once holdMs has passed. @default 2 */
  readonly fastRecoveryPerSecond: number;
  /** A 429 at least this long after the last cut is isolated. @default 30 000 */
  readonly calmMs: number;
}

export interface AimdState {
  /** The factor as stored, in force until `storedAt`. */
  readonly factor: number;
  /** Redis time (epoch ms) the climb starts: the cut, or holdMs after it for an isolated 429. */
  readonly storedAt: number;
  /** Redis time of the last cut, or null if there never was one. */
  readonly lastCutAt: number | null;
  /** Factor regained per second from storedAt; absent: the options' recoveryPerSecond. */
  readonly rate?: number;
}

export const FULL_SPEED: AimdState = { factor: 1, storedAt: 0, lastCutAt: null };

/** The factor in force at `now`. */
export function factorAt(state: AimdState, now: number, options: AimdOptions): number {
  const elapsedMs = Math.max(0, now - state.storedAt);
  return Math.min(1, state.factor + ((state.rate ?? options.recoveryPerSecond) * elapsedMs) / 1000);
}

/** The state after a 429 at `now`; unchanged while the last cut is younger than holdMs. */
export function afterPenalty(state: AimdState, now: number, options: AimdOptions): AimdState {
  if (state.lastCutAt !== null && now - state.lastCutAt < options.holdMs) return state;
  const factor = Math.max(options.floor, factorAt(state, now, options) * options.decrease);
  const isolated = state.lastCutAt === null || now - state.lastCutAt >= options.calmMs;
  return isolated
    ? { factor, storedAt: now + options.holdMs, lastCutAt: now, rate: options.fastRecoveryPerSecond }
    : { factor, storedAt: now, lastCutAt: now, rate: options.recoveryPerSecond };
}

/**
 * A ceiling scaled by the factor, rounded down and at least 1. The epsilon keeps products
 * such as 100 × 0.15 = 14.999999999999998 from losing a unit; the Lua uses the same one.
 */
export function effectiveCeiling(ceiling: number, factor: number): number {
  return Math.max(1, Math.floor(ceiling * factor + CEILING_EPSILON));
}

export const CEILING_EPSILON = 1e-9;
