import type { EmulatorLimits } from './emulator-options.js';
import type { WindowStats } from './emulator-stats.js';
import { SlidingWindowLog, type WindowLoad } from './sliding-window.js';

interface ApplicationWindows {
  /** Every request that passed auth and validation, at its arrival, 429s included. */
  readonly observed: SlidingWindowLog;
  /** Only the requests let through: what the ceiling is enforced on. */
  readonly admitted: SlidingWindowLog;
  requestsOverCeiling: number;
  recordsOverCeiling: number;
}

/**
 * The per-application sliding 1-second windows: what the client sent (observed) and what
 * was let through (admitted). A request is refused when admitting it would push any window
 * containing it above a ceiling, so admitted traffic never exceeds the limits.
 */
export class RateWindows {
  readonly #limits: Required<EmulatorLimits>;
  readonly #apps = new Map<string, ApplicationWindows>();

  constructor(limits: Required<EmulatorLimits>) {
    this.#limits = limits;
  }

  /** Records an arrival in the observed window and counts it when it exceeds a ceiling. */
  observe(applicationId: string, time: number, load: WindowLoad): void {
    const app = this.#app(applicationId);
    const heaviest = app.observed.add(time, load);
    if (heaviest.requests > this.#limits.maxRequestsPerSecond) app.requestsOverCeiling += 1;
    if (heaviest.records > this.#limits.maxRecordsPerSecond) app.recordsOverCeiling += 1;
  }

  /** Admits the arrival unless limits are on and it would exceed a ceiling. */
  admit(applicationId: string, time: number, load: WindowLoad): boolean {
    const app = this.#app(applicationId);
    if (this.#limits.enabled) {
      const would = app.admitted.loadIfAdded(time, load);
      if (would.requests > this.#limits.maxRequestsPerSecond || would.records > this.#limits.maxRecordsPerSecond) return false;
    }
    app.admitted.add(time, load);
    return true;
  }

  byApplication(): Record<string, WindowStats> {
    const out: Record<string, WindowStats> = {};
    for (const [id, app] of this.#apps) {
      out[id] = {
        maxRequestsInWindow: app.observed.peak.requests,
        maxRecordsInWindow: app.observed.peak.records,
        maxAdmittedRequestsInWindow: app.admitted.peak.requests,
        maxAdmittedRecordsInWindow: app.admitted.peak.records,
        requestsOverCeiling: app.requestsOverCeiling,
        recordsOverCeiling: app.recordsOverCeiling,
      };
    }
    return out;
  }

  clear(): void {
    this.#apps.clear();
  }

  #app(applicationId: string): ApplicationWindows {
    let app = this.#apps.get(applicationId);
    if (app === undefined) {
      app = { observed: new SlidingWindowLog(), admitted: new SlidingWindowLog(), requestsOverCeiling: 0, recordsOverCeiling: 0 };
      this.#apps.set(applicationId, app);
    }
    return app;
  }
}

/** The overall figures: each the maximum (peaks) or sum (excess counts) over applications. */
export function combineWindows(byApplication: Readonly<Record<string, WindowStats>>): WindowStats {
  const all = Object.values(byApplication);
  const max = (pick: (w: WindowStats) => number): number => all.reduce((m, w) => Math.max(m, pick(w)), 0);
  const sum = (pick: (w: WindowStats) => number): number => all.reduce((s, w) => s + pick(w), 0);
  return {
    maxRequestsInWindow: max((w) => w.maxRequestsInWindow),
    maxRecordsInWindow: max((w) => w.maxRecordsInWindow),
    maxAdmittedRequestsInWindow: max((w) => w.maxAdmittedRequestsInWindow),
    maxAdmittedRecordsInWindow: max((w) => w.maxAdmittedRecordsInWindow),
    requestsOverCeiling: sum((w) => w.requestsOverCeiling),
    recordsOverCeiling: sum((w) => w.recordsOverCeiling),
  };
}
