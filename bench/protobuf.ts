import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import * as generated from 'byteair-sync/internal/src/byteair/messages.js';
import * as handWritten from './baseline/hand-written-messages.js';
import type { DataError, ProtoDate, WriteResponse } from 'byteair-sync/internal/src/byteair/messages.js';
import { BenchFlags } from './harness/flags.js';
import { median, round, spread } from './harness/figures.js';
import { describeMachine } from './harness/machine.js';

/**
 * `npm run bench -- protobuf [--errors 10000] [--rounds 9] [--sample-ms 150]`
 *
 * The hand-written ByteAir messages (bench/baseline/hand-written-messages.ts, kept as the
 * baseline) against the same functions over protoc-gen-es code
 * (src/byteair/messages.ts), side by side in one process. Protobuf
 * is only on the Done request and on the answers (write bodies are JSON), so the cases are the
 * Done/response path of one 10 000-record chunk: encode a DoneRequest, decode the 1001 answer
 * listing every record as failed, decode a Done answer, and encode that 1001 answer (the
 * emulator's side). Each round times both sides of every case, in alternating order, for about
 * `sample-ms` each; the figures are medians over rounds, and the ratio is the median of each
 * round's generated/hand-written ratio (paired, so a noisy neighbour hits both sides of it).
 * The JSON + gzip build of the same chunk's write body is timed as a yardstick of the real path.
 */

type Codec = Pick<typeof handWritten, 'encodeDoneRequest' | 'decodeWriteResponse' | 'decodeDoneResponse' | 'encodeWriteResponse'>;
const SIDES: ReadonlyArray<readonly [string, Codec]> = [
  ['handWritten', handWritten],
  ['generated', generated],
];

interface Case {
  readonly name: string;
  /** Runs once, returns something that depends on the result so the work is not optimised away. */
  readonly run: (codec: Codec) => number;
}

/** A record as an item upload carries it, with the Chinese text real catalogues have. */
function record(i: number): Record<string, unknown> {
  return {
    id: `item-2022-06-01-${i}`,
    goods_id: `${1_000_000 + i}`,
    title: `夏季新款纯棉短袖T恤 男女同款 第${i}号`,
    status: 1,
    price: 12_900 + (i % 500),
    tags: ['summer', 'cotton', `batch-${i % 17}`],
    pub_time: 1_654_041_600 + i,
  };
}

function cases(errors: number): { cases: Case[]; answer: WriteResponse; answerBytes: Buffer; doneBytes: Buffer; dates: ProtoDate[] } {
  const dataErrors: DataError[] = Array.from({ length: errors }, (_, i) => ({
    message: i % 2 === 0 ? "field 'status' is required" : "invalid value of field 'pub_time'",
    data: JSON.stringify(record(i)),
  }));
  const answer: WriteResponse = { status: { code: 1001, message: `${errors} records failed`, success: false }, errors: dataErrors };
  const answerBytes = handWritten.encodeWriteResponse(answer);
  const doneBytes = handWritten.encodeDoneResponse({ status: { code: 0, message: 'OK', success: true } });
  const dates: ProtoDate[] = [{ year: 2022, month: 6, day: 1 }];
  return {
    answer,
    answerBytes,
    doneBytes,
    dates,
    cases: [
      { name: 'encodeDoneRequest (1 date)', run: (c) => c.encodeDoneRequest(dates).length },
      { name: `decodeWriteResponse (1001, ${errors} DataError)`, run: (c) => c.decodeWriteResponse(answerBytes).errors.length },
      { name: 'decodeDoneResponse (OK)', run: (c) => c.decodeDoneResponse(doneBytes).status.code },
      { name: `encodeWriteResponse (1001, ${errors} DataError; emulator)`, run: (c) => c.encodeWriteResponse(answer).length },
    ],
  };
}

/** Both sides must agree before their speed means anything. */
function checkAgreement(answer: WriteResponse, answerBytes: Buffer, doneBytes: Buffer, dates: readonly ProtoDate[]): void {
  const same = (what: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`hand-written and generated disagree on ${what}`);
  };
  same('encodeDoneRequest', handWritten.encodeDoneRequest(dates).toString('hex'), generated.encodeDoneRequest(dates).toString('hex'));
  same('encodeWriteResponse', handWritten.encodeWriteResponse(answer).toString('base64'), generated.encodeWriteResponse(answer).toString('base64'));
  same('decodeWriteResponse', handWritten.decodeWriteResponse(answerBytes), generated.decodeWriteResponse(answerBytes));
  same('decodeDoneResponse', handWritten.decodeDoneResponse(doneBytes), generated.decodeDoneResponse(doneBytes));
}

/** Runs `run` `calls` times, returns microseconds per call. */
function sample(run: () => number, calls: number): { usPerCall: number; sink: number } {
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < calls; i += 1) sink += run();
  const elapsed = performance.now() - start;
  return { usPerCall: (elapsed * 1000) / calls, sink };
}

/** How many calls take about `ms` (measured once, after a warm-up). */
function callsFor(run: () => number, ms: number): number {
  for (let i = 0; i < 3; i += 1) run();
  let calls = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < calls; i += 1) run();
    const elapsed = performance.now() - start;
    if (elapsed >= ms / 4) return Math.max(1, Math.round((calls * ms) / elapsed));
    calls *= 4;
  }
}

export async function runProtobufBench(rawArgs: readonly string[]): Promise<void> {
  const flags = new BenchFlags(rawArgs);
  const errors = flags.count('errors', 10_000);
  const rounds = flags.count('rounds', 9);
  const sampleMs = flags.count('sample-ms', 150);
  const setup = cases(errors);
  checkAgreement(setup.answer, setup.answerBytes, setup.doneBytes, setup.dates);

  const timings = new Map<string, Map<string, number[]>>(setup.cases.map((c) => [c.name, new Map(SIDES.map(([side]) => [side, []]))]));
  const calls = new Map(setup.cases.map((c) => [c.name, new Map(SIDES.map(([side, codec]) => [side, callsFor(() => c.run(codec), sampleMs)]))]));
  let sink = 0;
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
    for (const c of setup.cases) {
      for (const [side, codec] of order) {
        const taken = sample(() => c.run(codec), calls.get(c.name)?.get(side) ?? 1);
        sink += taken.sink;
        timings.get(c.name)?.get(side)?.push(taken.usPerCall);
      }
    }
    process.stderr.write(`  round ${round + 1}/${rounds} done\n`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  // The yardstick: what the same chunk's write request costs to build (JSON + gzip), per call.
  const records = Array.from({ length: errors }, (_, i) => record(i));
  const writeBodyMs = median(
    Array.from({ length: rounds }, () => {
      const start = performance.now();
      sink += gzipSync(JSON.stringify(records)).length;
      return performance.now() - start;
    }),
  );

  const figures = setup.cases.map((c) => {
    const hand = timings.get(c.name)?.get('handWritten') ?? [];
    const gen = timings.get(c.name)?.get('generated') ?? [];
    const ratios = hand.map((h, i) => (gen[i] ?? Number.NaN) / h);
    return { case: c.name, usPerCall: { handWritten: spread(hand, 2), generated: spread(gen, 2) }, generatedOverHandWritten: spread(ratios, 3) };
  });
  const output = {
    bench: 'protobuf',
    machine: describeMachine(),
    errors,
    rounds,
    sampleMs,
    answerBytes: setup.answerBytes.length,
    figures,
    yardstick: { writeBodyJsonGzipMs: round(writeBodyMs, 2) },
    sink,
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  const summary = figures
    .map(
      (f) => `${f.case.split(' ')[0] ?? f.case} ${f.usPerCall.handWritten.median}→${f.usPerCall.generated.median} µs (×${f.generatedOverHandWritten.median})`,
    )
    .join('; ');
  process.stderr.write(
    `protobuf, hand-written→generated, median of ${rounds} rounds: ${summary}; the ${errors}-record write body's JSON+gzip takes ${round(writeBodyMs, 1)} ms\n`,
  );
}
