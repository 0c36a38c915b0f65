import { gzipSync } from 'node:zlib';
import { encodeDoneBody } from 'byteair-sync/internal/src/byteair/payload.js';
import { spawnEmulator, type EmulatorControl } from '../../src/emulator/emulator-control.js';
import { startEmulator, type EmulatorStats, type RecordRejectionRule, type RunningEmulator } from '../../src/index.js';
import { InvalidInputError } from 'byteair-sync/internal/src/errors/invalid-input-error.js';
import { assertBuilt, CLI } from '../../../../test/support/system.js';
import { eventually } from '../../../../test/support/eventually.js';
import { items, signedRequest, TENANT, VECTOR_TIME_MS, withEmulator, type CallSpec } from './support/fixture.js';
import { send, type Reply } from './support/http.js';

/*
 * Bodies judged on worker threads answer exactly like bodies judged inline. Under jest the
 * emulator runs from the TypeScript sources, where there is no compiled worker entry, so it
 * judges inline (see src/emulator/body-judge.ts); the compiled CLI in a child process has
 * one and uses threads. The same requests go to both and must get the same answers, stats
 * and ledgers.
 */

const RULE: RecordRejectionRule = { field: 'price', equals: 13, reason: 'unlucky price' };
const LATER_RULE: RecordRejectionRule = { topic: 'item', field: 'title', matches: '^banned', reason: 'banned title' };

interface Call {
  readonly kind: 'write' | 'done';
  readonly body: Buffer;
  readonly spec?: CallSpec;
}

const json = (value: unknown): Buffer => gzipSync(JSON.stringify(value));

/** Every body outcome: accepted, 1001 (required field, rule, no id), each refusal, 409, Dones. */
const CALLS: readonly Call[] = [
  { kind: 'write', body: json(items(3, 'a-')), spec: { requestId: 'ok-1' } },
  {
    kind: 'write',
    body: json([
      { id: 7, title: 't', price: 1 },
      { title: 'no id', price: 2 },
      { id: 'x', price: 3 },
      { id: 'y', title: 'u', price: 13 },
    ]),
  },
  { kind: 'write', body: json({ id: 1 }) },
  { kind: 'write', body: json([]) },
  { kind: 'write', body: json([1]) },
  { kind: 'write', body: gzipSync('not json') },
  { kind: 'write', body: Buffer.from('not gzip') },
  { kind: 'write', body: json(items(10_001, 'big-')) },
  { kind: 'write', body: json(items(10_000, 'full-')), spec: { requestId: 'full' } },
  { kind: 'write', body: json(items(10_000, 'full-')), spec: { requestId: 'full' } },
  { kind: 'write', body: json([{ user_id: 'u1' }, { name: 'no id' }]), spec: { topic: 'user' } },
  { kind: 'done', body: encodeDoneBody(['2022-01-01']) },
  { kind: 'done', body: Buffer.alloc(0), spec: { topic: 'user' } },
  { kind: 'done', body: Buffer.from('[{"partition_date":"20220101"}]') },
];

/** After the Dones above, so on a date not yet acked. */
const AFTER_RULE_CHANGE: readonly Call[] = [
  {
    kind: 'write',
    body: json([
      { id: 'b1', title: 'banned thing', price: 1 },
      { id: 'b2', title: 'fine', price: 13 },
    ]),
    spec: { date: '2022-01-03' },
  },
];

function post(url: string, call: Call): Promise<Reply> {
  return sendSigned(url, signedRequest(call.kind, call.body, call.spec));
}

function sendSigned(url: string, request: ReturnType<typeof signedRequest>): Promise<Reply> {
  return send(url, 'POST', request.path, request.headers, request.body);
}

/** What must match: status, type and the decoded answer bytes. */
function answerOf(reply: Reply): { status: number; type: string | undefined; body: string } {
  return { status: reply.status, type: reply.headers['content-type'], body: reply.body.toString('base64') };
}

/** The stats without the sliding windows, which depend on real arrival times. */
function comparable(stats: EmulatorStats): unknown {
  const { windows: _windows, windowsByApplication: _byApplication, ...rest } = stats;
  return JSON.parse(JSON.stringify(rest)) as unknown;
}

describe('the compiled emulator, bodies on worker threads', () => {
  let threaded: EmulatorControl;

  beforeAll(async () => {
    assertBuilt();
    threaded = await spawnEmulator({
      cli: CLI,
      args: [
        `--tenant-id=${TENANT.tenantId}`,
        `--application-id=${TENANT.applicationId}`,
        `--ak=${TENANT.ak}`,
        `--sk=${TENANT.sk}`,
        `--token=${TENANT.token}`,
        `--now=${new Date(VECTOR_TIME_MS).toISOString()}`,
        '--no-limits',
        '--required=item=title',
        `--reject-record=${JSON.stringify(RULE)}`,
        '--log-level=info',
      ],
    });
  });

  afterAll(async () => {
    await threaded.close();
  });

  test('says it judges bodies on at least one worker thread', async () => {
    // The log is written asynchronously: wait for the line rather than read it once.
    const line = await eventually(
      () =>
        Promise.resolve(
          threaded
            .log()
            .split('\n')
            .filter((l) => l.includes('request bodies judged'))
            .map((l) => JSON.parse(l) as { bodyThreads: number; requested: number })[0],
        ),
      'the emulator to log its body threads',
      10_000,
      20,
    );
    expect(line.bodyThreads).toBeGreaterThanOrEqual(1);
    expect(line.bodyThreads).toBe(line.requested);
  });

  test('answers, stats and ledgers equal those of the inline emulator, a rule change included', async () => {
    await threaded.reset();
    await threaded.setFaults({ recordRejections: [RULE] });
    await withEmulator(
      { limits: { enabled: false }, topics: [{ name: 'item', requiredFields: ['title'] }, 'user', 'behavior'], faults: { recordRejections: [RULE] } },
      async (inline) => {
        const run = async (calls: readonly Call[]): Promise<void> => {
          for (const call of calls) {
            // Signed once: both get the same Request-Id, which the stats of a Done record.
            const request = signedRequest(call.kind, call.body, call.spec);
            expect(answerOf(await sendSigned(threaded.url, request))).toEqual(answerOf(await sendSigned(inline.url, request)));
          }
        };
        await run(CALLS);
        inline.setFaults({ recordRejections: [RULE, LATER_RULE] });
        await threaded.setFaults({ recordRejections: [RULE, LATER_RULE] });
        await run(AFTER_RULE_CHANGE);
        expect(comparable(await threaded.stats())).toEqual(comparable(inline.stats()));
        for (const topic of ['item', 'user']) expect(await threaded.ledger(topic)).toEqual(new Map(inline.ledger(topic)));
        expect((await threaded.stats()).totals).toMatchObject({ acceptedRecords: 10_006, rejectedRecords: 5, recordsWithoutId: 2, duplicateRequests: 1 });
      },
    );
  });

  test('concurrent bodies spread over the threads: every record accepted once', async () => {
    await threaded.reset();
    await threaded.setFaults({ recordRejections: [] });
    const calls = Array.from({ length: 12 }, (_, i): Call => ({ kind: 'write', body: json(items(2_000, `c${i}-`)) }));
    const replies = await Promise.all(calls.map(async (call) => await post(threaded.url, call)));
    expect(replies.map((r) => r.status)).toEqual(calls.map(() => 200));
    const stats = await threaded.stats();
    expect(stats.totals).toMatchObject({ writeRequests: 12, acceptedRecords: 24_000, rejectedRecords: 0 });
    expect(stats.topics.item).toMatchObject({ uniqueIds: 24_000, duplicateIds: 0 });
  });
});

describe('bodyThreads option', () => {
  test.each([-1, 1.5, 65])('%p is refused before anything listens', async (bodyThreads) => {
    await expect(startEmulator({ tenants: [TENANT], bodyThreads })).rejects.toBeInstanceOf(InvalidInputError);
  });

  test('0 judges bodies on the main thread, with the same answers', async () => {
    let emulator: RunningEmulator | undefined;
    try {
      emulator = await startEmulator({ tenants: [TENANT], bodyThreads: 0, clock: { now: () => VECTOR_TIME_MS } });
      const call = CALLS[1] as Call;
      expect((await post(emulator.url, call)).status).toBe(200);
      expect(emulator.stats().totals).toMatchObject({ acceptedRecords: 4, rejectedRecords: 0, recordsWithoutId: 1 });
    } finally {
      await emulator?.close();
    }
  });
});
