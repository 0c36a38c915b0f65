import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { INGEST_TOKEN, send, type Answer } from '../http/support/ingest-client.js';
import { useIngestRig } from '../http/support/ingest-rig.js';
import {
  byteMutation,
  goodRecord,
  type ByteMutation,
  dataDate,
  encodeText,
  jsonArrayText,
  keepsContent,
  ndjsonLayout,
  ndjsonText,
  records,
  stageName,
  todayUtc,
  topicName,
  type NdjsonLayout,
  type RecordText,
} from './support/hostile-input.js';

/**
 * Hostile input over HTTP ingest (docs/ingest.md). Whatever arrives (paths, headers,
 * encodings, bodies), the server (a) keeps answering and never fails with a 5xx, (b) refuses
 * with a 4xx whose error names the field (or header, or body line) and the value, and
 * (c) takes nothing from a refused request: batches, chunks, jobs and intakes are exactly as
 * before, and everything accepted earlier is still there. Claim (d), that what it accepts
 * uploads without a failure it could have foreseen, is in edge-to-emulator.property.test.ts.
 */
const MAX_BODY = 48 * 1024;
const MAX_REQUEST_BYTES = 8 * 1024;
const ENV = {
  BYTEAIR_INGEST_TOKEN: INGEST_TOKEN,
  BYTEAIR_INGEST_MAX_BODY_BYTES: String(MAX_BODY),
  BYTEAIR_MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
  BYTEAIR_MAX_RECORDS_PER_REQUEST: '4',
  BYTEAIR_STREAM_BATCH_SIZE: '4',
  BYTEAIR_DATE_ZONE: 'UTC',
  BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior',
};
const TOPICS = ['item', 'user', 'behavior'];

const rig = useIngestRig('prop-ingest', ENV);

/** Everything a request could leave behind. */
interface Snapshot {
  readonly batches: number;
  readonly records: number;
  readonly chunks: number;
  readonly jobs: number;
  readonly intake: Readonly<Record<string, number>>;
}

async function snapshot(): Promise<Snapshot> {
  const ids = await rig.pipeline.redis.zrange(rig.pipeline.keys.batchIndex, '0', '-1');
  const statuses = await Promise.all(ids.map(async (id) => await rig.pipeline.batches.status(id)));
  const intake: Record<string, number> = {};
  for (const topic of TOPICS) intake[topic] = await rig.pipeline.redis.xlen(rig.pipeline.keys.intake(topic));
  return {
    batches: ids.length,
    records: statuses.reduce((sum, s) => sum + (s?.records ?? 0), 0),
    chunks: statuses.reduce((sum, s) => sum + (s?.chunks ?? 0), 0),
    jobs: await rig.pipeline.queues.upload.count(),
    intake,
  };
}

type BodyShape = { readonly format: 'json'; readonly pretty: boolean } | { readonly format: 'single' } | ({ readonly format: 'ndjson' } & NdjsonLayout);

const bodyShape: fc.Arbitrary<BodyShape> = fc.oneof(
  fc.boolean().map((pretty) => ({ format: 'json' as const, pretty })),
  fc.constant({ format: 'single' as const }),
  ndjsonLayout.map((layout) => ({ format: 'ndjson' as const, ...layout })),
);

function bodyText(list: readonly RecordText[], shape: BodyShape): string {
  if (shape.format === 'json') return jsonArrayText(list, shape.pretty);
  if (shape.format === 'single') return list[0]?.text ?? '';
  return ndjsonText(list, shape.crlf, shape.blanks, shape.finalBreak);
}

/** The Content-Type the body claims: right, wrong charset, wrong type, or none. */
const contentType: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constant('right') },
  { weight: 1, arbitrary: fc.constantFrom('right; charset=utf-8', 'right; charset="utf-8"', 'right;charset=UTF-8') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'right; charset=utf-16',
      'right; charset=latin1',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      '',
      'none',
      'application/json-seq',
      'APPLICATION/X-NDJSON',
    ),
  },
);

/** How the body travels: plain, gzip (maybe cut short), a lie about gzip, or an unknown coding. */
type Transport =
  | { readonly encoding: 'none' }
  | { readonly encoding: 'gzip' | 'declared'; readonly header: string }
  | { readonly encoding: 'gzip-truncated'; readonly cut: number };

const transport: fc.Arbitrary<Transport> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ encoding: 'none' as const }) },
  { weight: 2, arbitrary: fc.constantFrom('gzip', 'GZIP', ' gzip ').map((header) => ({ encoding: 'gzip' as const, header })) },
  { weight: 2, arbitrary: fc.nat().map((cut) => ({ encoding: 'gzip-truncated' as const, cut })) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'gzip, identity', 'x-gzip', 'identity').map((header) => ({ encoding: 'declared' as const, header })),
  },
);

/** A body far over the limit once gunzipped, but small on the wire. */
const bomb = fc.constantFrom(200_000, 1_000_000).map((n) => gzipSync(Buffer.from(`[{"a":"${'0'.repeat(n)}"}]`)));

function pathParam(value: string, raw: boolean): string {
  return raw ? value.replaceAll('/', '%2F') : encodeURIComponent(value);
}

/** Each part of a request, as a client that means well sends it, and as a hostile one might. */
const parts = {
  target: {
    benign: fc.oneof(
      fc.record({
        kind: fc.constant('batch' as const),
        topic: fc.constantFrom('item', 'user'),
        stage: fc.constantFrom('pre_sync', 'history_sync', 'incremental_sync_daily'),
        date: dataDate(todayUtc()).filter((d) => /^20(1[5-9]|2\d)-\d\d-\d\d$/.test(d)),
        raw: fc.constant(false),
      }),
      fc.record({ kind: fc.constant('stream' as const), topic: fc.constantFrom('item', 'user', 'behavior'), raw: fc.constant(false) }),
    ),
    hostile: fc.oneof(
      fc.record({ kind: fc.constant('batch' as const), topic: topicName, stage: stageName, date: dataDate(todayUtc()), raw: fc.boolean() }),
      fc.record({ kind: fc.constant('stream' as const), topic: topicName, raw: fc.boolean() }),
    ),
  },
  records: { benign: fc.array(goodRecord, { minLength: 1, maxLength: 8 }), hostile: records(8) },
  shape: { benign: bodyShape, hostile: bodyShape },
  mutation: { benign: fc.constantFrom<ByteMutation>({ kind: 'none' }, { kind: 'bom' }), hostile: byteMutation },
  contentType: { benign: fc.constant<string>('right'), hostile: contentType },
  transport: { benign: fc.constantFrom<Transport>({ encoding: 'none' }, { encoding: 'gzip', header: 'gzip' }), hostile: transport },
  chunked: { benign: fc.boolean(), hostile: fc.boolean() },
  bomb: { benign: fc.constant(null), hostile: fc.option(bomb, { freq: 3 }) },
  idempotencyKey: {
    benign: fc.option(fc.uuid(), { freq: 2 }),
    hostile: fc.option(fc.constantFrom('', ' ', 'a b', 'x'.repeat(201), Buffer.from('ключ').toString('latin1')), { freq: 2 }),
  },
};
type Part = keyof typeof parts;
type Parts = { readonly [K in Part]: (typeof parts)[K]['benign'] extends fc.Arbitrary<infer T> ? T : never };
const PART_NAMES = Object.keys(parts) as Part[];

function pick<K extends Part>(name: K): fc.Arbitrary<{ benign: Parts[K]; hostile: Parts[K] }> {
  return fc.record({ benign: parts[name].benign, hostile: parts[name].hostile }) as fc.Arbitrary<{ benign: Parts[K]; hostile: Parts[K] }>;
}

/**
 * Mostly one hostile part at a time, so each kind of refusal is reached and the rest of the
 * request is good enough to get past the checks before it; sometimes none, sometimes several.
 */
const request: fc.Arbitrary<Parts> = fc
  .tuple(
    fc.record(Object.fromEntries(PART_NAMES.map((name) => [name, pick(name)])) as { [K in Part]: fc.Arbitrary<{ benign: Parts[K]; hostile: Parts[K] }> }),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<Part[]>([]) },
      { weight: 6, arbitrary: fc.constantFrom(...PART_NAMES).map((p) => [p]) },
      { weight: 1, arbitrary: fc.subarray(PART_NAMES) },
    ),
  )
  .map(
    ([choices, hostile]) =>
      Object.fromEntries(PART_NAMES.map((name) => [name, hostile.includes(name) ? choices[name].hostile : choices[name].benign])) as unknown as Parts,
  );
type Request = Parts;

function pathOf(req: Request): string {
  const t = req.target;
  if (t.kind === 'stream') return `/v1/streams/${pathParam(t.topic, t.raw)}/records`;
  return `/v1/batches/${pathParam(t.topic, t.raw)}/${pathParam(t.stage, t.raw)}/${pathParam(t.date, t.raw)}/records`;
}

function headersOf(req: Request): Record<string, string> {
  const right = req.shape.format === 'ndjson' ? 'application/x-ndjson' : 'application/json';
  const headers: Record<string, string> = {};
  if (req.contentType !== 'none') headers['content-type'] = req.contentType.replace(/^right/, right);
  if (req.transport.encoding === 'gzip' || req.transport.encoding === 'declared') headers['content-encoding'] = req.transport.header;
  if (req.transport.encoding === 'gzip-truncated') headers['content-encoding'] = 'gzip';
  if (req.bomb !== null) headers['content-encoding'] = 'gzip';
  // Keys differ per run: a repeated key would (rightly) store nothing the second time.
  if (req.idempotencyKey !== null) headers['idempotency-key'] = req.idempotencyKey;
  return headers;
}

function wireBody(req: Request): Buffer {
  if (req.bomb !== null) return req.bomb;
  const bytes = encodeText(bodyText(req.records, req.shape), req.mutation);
  if (req.transport.encoding === 'gzip') return gzipSync(bytes);
  if (req.transport.encoding === 'gzip-truncated') {
    const zipped = gzipSync(bytes);
    // Always short by at least the 8-byte trailer (CRC and length).
    return zipped.subarray(0, req.transport.cut % (zipped.length - 8));
  }
  return bytes;
}

/** The body is exactly what the records and shape say, delivered as the headers say. */
function clean(req: Request): boolean {
  const stream = req.target.kind === 'stream';
  return (
    req.bomb === null &&
    keepsContent(req.mutation) &&
    (req.transport.encoding === 'none' || req.transport.encoding === 'gzip') &&
    (req.shape.format !== 'single' || stream)
  );
}

/** Claim (b): the refusal's stable code says what kind, and the error names what and which value. */
function expectNamedRefusal(answer: Answer, headers: Record<string, string>): void {
  const error = answer.error;
  const message = String(error.message);
  expect(typeof error.code).toBe('string');
  switch (error.code) {
    case 'INVALID_INPUT':
      expect(answer.status).toBe(400);
      expect(typeof error.field === 'string' && error.field !== '').toBe(true);
      expect('value' in error).toBe(true);
      expect(message).toContain(String(error.field));
      expect(message).toContain('(got ');
      break;
    case 'MALFORMED_BODY':
      expect(answer.status).toBe(400);
      expect(message).toMatch(/^body( line \d+( column \d+)?)?: /);
      break;
    case 'UNSUPPORTED_MEDIA_TYPE': {
      expect(answer.status).toBe(415);
      const type = headers['content-type'];
      expect(message).toContain(type === undefined || type === '' ? '(none)' : JSON.stringify(type.slice(0, 80)));
      break;
    }
    case 'UNSUPPORTED_ENCODING':
      expect(answer.status).toBe(415);
      expect(message).toContain(JSON.stringify((headers['content-encoding'] ?? '').trim().toLowerCase().slice(0, 40)));
      break;
    case 'BODY_TOO_LARGE':
      expect(answer.status).toBe(413);
      expect(error.limit).toBe(MAX_BODY);
      break;
    case 'NOT_FOUND':
      expect(answer.status).toBe(404);
      expect(message).toContain('POST');
      break;
    default:
      throw new Error(`unexpected refusal ${answer.status} ${answer.text.slice(0, 300)}`);
  }
  // The answer never carries the token or a whole record back.
  expect(answer.text).not.toContain(INGEST_TOKEN);
}

test('hostile requests: the server keeps answering, refuses by name with a 4xx, and a refusal takes nothing', async () => {
  const seen: Record<string, number> = {};
  let acceptedAll = 0;
  let keys = 0;
  await fc.assert(
    fc.asyncProperty(request, async (req) => {
      const headers = headersOf(req);
      if (headers['idempotency-key'] !== undefined && /^[0-9a-f-]{36}$/.test(headers['idempotency-key']))
        headers['idempotency-key'] = `${headers['idempotency-key']}-${(keys += 1)}`;
      const body = wireBody(req);
      const before = await snapshot();
      const answer = await send(rig.server.url, pathOf(req), {
        headers,
        body: req.chunked ? [body.subarray(0, body.length >> 1), body.subarray(body.length >> 1)] : body,
      });
      const key = answer.status === 202 ? '202' : `${answer.status} ${String(answer.error.code)}`;
      seen[key] = (seen[key] ?? 0) + 1;
      const after = await snapshot();

      // (a) never a 5xx, and the server still answers the next request.
      expect(answer.status).toBeLessThan(500);
      expect((await send(rig.server.url, '/healthz', { token: null })).status).toBe(200);

      if (answer.status !== 202) {
        expectNamedRefusal(answer, headers);
        // (c) nothing of a refused request stays behind, and nothing earlier is gone.
        expect(after).toEqual(before);
        return;
      }
      const accepted = Number(answer.body.accepted);
      expect(accepted).toBeGreaterThan(0);
      if (clean(req)) expect(accepted).toBe(req.shape.format === 'single' ? 1 : req.records.length);
      acceptedAll += accepted;
      if (req.target.kind === 'stream') {
        const topic = String(answer.body.topic);
        expect(after).toEqual({ ...before, intake: { ...before.intake, [topic]: (before.intake[topic] ?? 0) + accepted } });
      } else {
        const newChunks = Number(answer.body.newChunks);
        expect(after.intake).toEqual(before.intake);
        expect(after.jobs).toBe(before.jobs + newChunks);
        expect(after.chunks).toBe(before.chunks + newChunks);
        if (newChunks === Number(answer.body.chunks)) expect(after.records).toBe(before.records + accepted);
        if (newChunks === 0) expect(after.records).toBe(before.records);
      }
    }),
    { numRuns: 400 },
  );
  // Control: the generators reach acceptance and every kind of refusal, so the checks above ran.
  expect(seen['202'] ?? 0).toBeGreaterThan(30);
  expect(acceptedAll).toBeGreaterThan(100);
  const kinds = ['400 INVALID_INPUT', '400 MALFORMED_BODY', '415 UNSUPPORTED_MEDIA_TYPE', '415 UNSUPPORTED_ENCODING', '413 BODY_TOO_LARGE'];
  expect(kinds.filter((kind) => (seen[kind] ?? 0) === 0)).toEqual([]);
}, 60_000);
