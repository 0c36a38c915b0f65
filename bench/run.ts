/**
 * `npm run bench -- <name> [args]`: runs one benchmark, which prints its figures as JSON on
 * stdout and a one-line summary on stderr. With no name, lists the benchmarks.
 */
type Bench = (args: readonly string[]) => Promise<void>;

const BENCHES: Readonly<Record<string, { description: string; load: () => Promise<Bench> }>> = {
  emulator: { description: 'emulator throughput on one core (gzip JSON writes, req/s and rec/s)', load: async () => (await import('./emulator.js')).runEmulatorBench },
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const entry = name === undefined ? undefined : BENCHES[name];
  if (entry === undefined) {
    process.stderr.write(`usage: npm run bench -- <name>\n${Object.entries(BENCHES)
      .map(([key, value]) => `  ${key.padEnd(12)} ${value.description}`)
      .join('\n')}\n`);
    process.exitCode = name === undefined ? 0 : 2;
    return;
  }
  const run = await entry.load();
  await run(args);
}

await main();
