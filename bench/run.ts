/**
 * `npm run bench -- <name> [args]`: runs one benchmark, which prints its figures as JSON on
 * stdout and a one-line summary on stderr. With no name, lists the benchmarks.
 */
type Bench = (args: readonly string[]) => Promise<void>;

const BENCHES: Readonly<Record<string, { description: string; load: () => Promise<Bench> }>> = {
  emulator: {
    description: 'emulator throughput on one core (gzip JSON writes, req/s and rec/s)',
    load: async () => (await import('./emulator.js')).runEmulatorBench,
  },
  throughput: {
    description: '1M history records, 4 workers, at the ceiling: ratio, windows, latency, Redis bytes, RSS; vs BullMQ limiter',
    load: async () => (await import('./throughput.js')).runThroughputBench,
  },
  latency: {
    description: 'streaming push-to-accepted latency (4 producers, 5 000 rec/s) under a saturating history backfill',
    load: async () => (await import('./latency.js')).runLatencyBench,
  },
  wan: {
    description:
      '1M history records, 2 workers, through the emulator network model at 0/0, 40/60, 100/150 ms delay/jitter: 429s, stamped peak, ratios, file to Done',
    load: async () => (await import('./wan.js')).runWanBench,
  },
  outage: {
    description: 'a 60 s API outage under streaming + daily load: drain speed after recovery, nothing lost or doubled',
    load: async () => (await import('./outage.js')).runOutageBench,
  },
  import: {
    description: '10M-record history .jsonl through `byteair-sync import`, no workers: producer peak RSS, Redis bytes per queued record, import rate',
    load: async () => (await import('./import.js')).runImportBench,
  },
  ledger: {
    description: "the emulator's id ledger: its longest single update (a stall of the thread that stamps arrivals) over 4M ids",
    load: async () => (await import('./ledger.js')).runLedgerBench,
  },
  'ingest-hostile': {
    description: 'several 32 MiB non-record JSON bodies at once at `byteair-sync ingest`: server peak RSS, /healthz latency, valid pushes served',
    load: async () => (await import('./ingest-hostile.js')).runIngestHostileBench,
  },
  protobuf: {
    description: 'hand-written vs generated (protoc-gen-es) ByteAir messages on a 10 000-record Done/response path: µs per call, ratio',
    load: async () => (await import('./protobuf.js')).runProtobufBench,
  },
  durability: {
    description: 'acknowledged pushes/adds lost when Redis dies (SIGKILL, simulated power loss), appendfsync everysec vs always',
    load: async () => (await import('./durability.js')).runDurabilityBench,
  },
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const entry = name === undefined ? undefined : BENCHES[name];
  if (entry === undefined) {
    process.stderr.write(
      `usage: npm run bench -- <name>\n${Object.entries(BENCHES)
        .map(([key, value]) => `  ${key.padEnd(12)} ${value.description}`)
        .join('\n')}\n`,
    );
    process.exitCode = name === undefined ? 0 : 2;
    return;
  }
  const run = await entry.load();
  await run(args);
}

await main();
