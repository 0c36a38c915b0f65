import fc from 'fast-check';

/**
 * Property tests run from a fixed seed by default, so a run (and CI) is reproducible and a
 * failure can be replayed as is. FC_SEED=<n> picks another seed; FC_SEED=random explores new
 * cases on every run (fast-check then prints the seed of any counterexample).
 */
const requested = process.env.FC_SEED ?? '20261128';
if (requested !== 'random') {
  const seed = Number(requested);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random" (got ${JSON.stringify(requested)})`);
  fc.configureGlobal({ seed });
}
