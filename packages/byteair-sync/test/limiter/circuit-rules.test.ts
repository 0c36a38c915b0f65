import fc from 'fast-check';
import {
  initialCircuitState,
  resolveCircuitOptions,
  stepCircuit,
  type CircuitEvent,
  type CircuitOptions,
  type CircuitState,
} from '../../src/limiter/circuit-rules.js';
import { LimiterOptionError } from '../../src/limiter/limiter-errors.js';
import type { CircuitAdmission } from '../../src/limiter/rate-limiter.js';

const options: CircuitOptions = { threshold: 3, cooldownMs: 1_000, maxCooldownMs: 5_000, probeLeaseMs: 30_000, halfOpenPollMs: 100 };
const closed: CircuitAdmission = { kind: 'closed' };

/** Applies events at given times and returns every step. */
function run(
  events: ReadonlyArray<readonly [number, CircuitEvent]>,
  from: CircuitState = initialCircuitState(options),
): { state: CircuitState; answers: CircuitAdmission[] } {
  let state = from;
  const answers: CircuitAdmission[] = [];
  for (const [now, event] of events) {
    const step = stepCircuit(state, event, now, options);
    state = step.state;
    answers.push(step.admission);
  }
  return { state, answers };
}

const fail = (admission: CircuitAdmission = closed): CircuitEvent => ({ kind: 'failure', admission });
const succeed = (admission: CircuitAdmission = closed): CircuitEvent => ({ kind: 'success', admission });
const admit = (probeId: string): CircuitEvent => ({ kind: 'admit', probeId });

function opened(at = 100): CircuitState {
  return run([
    [at, fail()],
    [at, fail()],
    [at, fail()],
  ]).state;
}

test('opens after `threshold` consecutive failures, and a success in between resets the count', () => {
  const { state, answers } = run([
    [1, fail()],
    [2, fail()],
    [3, succeed()],
    [4, fail()],
    [5, fail()],
  ]);
  expect(state).toMatchObject({ phase: 'closed', failures: 2 });
  expect(answers.at(-1)).toEqual({ kind: 'closed' });
  const open = stepCircuit(state, fail(), 6, options);
  expect(open.state).toMatchObject({ phase: 'open', failures: 3, cooldownMs: 1_000, openedAt: 6, reopensAt: 1_006 });
  expect(open.admission).toEqual({ kind: 'open', retryInMs: 1_000 });
});

test('while open, callers wait; the first one after the cooldown is the only probe', () => {
  const { state, answers } = run(
    [
      [600, admit('a')],
      [1_100, admit('b')],
      [1_101, admit('c')],
      [1_200, admit('d')],
    ],
    opened(),
  );
  expect(answers).toEqual([
    { kind: 'open', retryInMs: 500 },
    { kind: 'probe', probeId: 'b' },
    // While the probe is out, the others look again soon: its answer ends the outage for all.
    { kind: 'open', retryInMs: 100 },
    { kind: 'open', retryInMs: 100 },
  ]);
  expect(state).toMatchObject({ phase: 'half-open', probeId: 'b', probeLeaseUntil: 1_100 + 1_000 + 30_000 });
});

test('probe success closes the circuit and resets failures and cooldown', () => {
  const half = run([[1_100, admit('p')]], opened()).state;
  const { state } = run([[1_150, succeed({ kind: 'probe', probeId: 'p' })]], half);
  expect(state).toEqual(initialCircuitState(options));
});

test('probe failure re-opens with the cooldown doubled, capped at maxCooldownMs', () => {
  let state = opened(0);
  const cooldowns: number[] = [];
  let now = 0;
  for (let i = 0; i < 5; i += 1) {
    now = state.reopensAt;
    const probe = stepCircuit(state, admit(`p${i}`), now, options);
    expect(probe.admission).toEqual({ kind: 'probe', probeId: `p${i}` });
    const failed = stepCircuit(probe.state, fail(probe.admission), now + 10, options);
    expect(failed.admission.kind).toBe('open');
    state = failed.state;
    cooldowns.push(state.cooldownMs);
    expect(state.reopensAt - state.openedAt).toBe(state.cooldownMs);
  }
  expect(cooldowns).toEqual([2_000, 4_000, 5_000, 5_000, 5_000]);
});

test('a probe whose lease expired is replaced, and its late outcome changes nothing', () => {
  const half = run([[1_100, admit('old')]], opened()).state;
  const lease = half.probeLeaseUntil;
  const takeover = stepCircuit(half, admit('new'), lease, options);
  expect(takeover.admission).toEqual({ kind: 'probe', probeId: 'new' });
  expect(stepCircuit(takeover.state, succeed({ kind: 'probe', probeId: 'old' }), lease + 1, options).state).toBe(takeover.state);
  expect(stepCircuit(takeover.state, fail({ kind: 'probe', probeId: 'old' }), lease + 1, options).state).toBe(takeover.state);
});

test('outcomes of calls admitted before the circuit opened change nothing while it is open', () => {
  const open = opened();
  expect(stepCircuit(open, succeed(), 200, options).state).toBe(open);
  const late = stepCircuit(open, fail(), 200, options);
  expect(late.state).toBe(open);
  expect(late.admission).toEqual({ kind: 'open', retryInMs: 900 });
});

test('property: under any interleaving, at most one live probe, cooldown within bounds, closed means under threshold', () => {
  const eventArb = fc.record({
    gap: fc.integer({ min: 0, max: 3_000 }),
    kind: fc.constantFrom('admit', 'success', 'failure'),
    actor: fc.integer({ min: 0, max: 4 }),
  });
  fc.assert(
    fc.property(fc.array(eventArb, { maxLength: 200 }), (events) => {
      let state = initialCircuitState(options);
      let now = 0;
      let ids = 0;
      const held: Array<CircuitAdmission | undefined> = [];
      for (const e of events) {
        now += e.gap;
        let event: CircuitEvent;
        if (e.kind === 'admit') event = admit(`id${ids++}`);
        else {
          const admission = held[e.actor] ?? closed;
          event = e.kind === 'success' ? succeed(admission) : fail(admission);
          held[e.actor] = undefined;
        }
        const step = stepCircuit(state, event, now, options);
        if (e.kind === 'admit') {
          if (step.admission.kind === 'probe') {
            // A new probe only when none was live: the previous lease ended or the circuit was open past its cooldown.
            expect(state.phase === 'open' ? now >= state.reopensAt : state.phase === 'half-open' && now >= state.probeLeaseUntil).toBe(true);
          }
          if (step.admission.kind !== 'open') held[e.actor] = step.admission;
        }
        state = step.state;
        expect(state.cooldownMs).toBeGreaterThanOrEqual(options.cooldownMs);
        expect(state.cooldownMs).toBeLessThanOrEqual(options.maxCooldownMs);
        if (state.phase === 'closed') expect(state.failures).toBeLessThan(options.threshold);
        expect(state.phase === 'half-open').toBe(state.probeId !== null);
      }
    }),
    { numRuns: 500 },
  );
});

test('options: defaults 5 / 1000 ms / 5 000 ms, and bad values are named', () => {
  expect(resolveCircuitOptions()).toEqual({ threshold: 5, cooldownMs: 1_000, maxCooldownMs: 5_000, probeLeaseMs: 30_000, halfOpenPollMs: 100 });
  expect(() => resolveCircuitOptions({ threshold: 0 })).toThrow(LimiterOptionError);
  expect(() => resolveCircuitOptions({ cooldownMs: 2_000, maxCooldownMs: 1_000 })).toThrow(/circuit.maxCooldownMs/);
});
