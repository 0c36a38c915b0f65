import fc from 'fast-check';
import { IdempotencyKeyReusedError } from '../../src/streaming/intake-errors.js';
import { JSON_TYPE, NDJSON_TYPE, ndjson, send } from './support/ingest-client.js';
import { useIngestRig } from './support/ingest-rig.js';

const ENV = { BYTEAIR_INGEST_TOKEN: 'ingest-test-token-7f3a9c', BYTEAIR_DATE_ZONE: 'UTC' };

const rig = useIngestRig('ingest-idempotency', ENV);

const events = (n: number, tag: string): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => ({ bhv_id: `${tag}-${i}` }));

async function intakeLength(topic: string): Promise<number> {
  return await rig.pipeline.redis.xlen(rig.pipeline.keys.intake(topic));
}

async function pushNdjson(key: string, records: Array<Record<string, unknown>>): ReturnType<typeof send> {
  return await send(rig.server.url, '/v1/streams/behavior/records', { headers: { ...NDJSON_TYPE, 'idempotency-key': key }, body: ndjson(records) });
}

describe('Idempotency-Key on streaming pushes', () => {
  test('the same key with a different body is refused with 422 naming the key, and stores nothing', async () => {
    const before = await intakeLength('behavior');
    const first = await pushNdjson('K1', events(2, 'a'));
    const reused = await pushNdjson('K1', events(3, 'b'));
    expect(first.status).toBe(202);
    expect(reused.status).toBe(422);
    expect(reused.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key', value: 'K1', accepted: 0 });
    expect((await intakeLength('behavior')) - before).toBe(2);
  });

  test('a body of two groups under a key first used for two records is refused whole (none of its 7 000 stored)', async () => {
    const before = await intakeLength('behavior');
    expect((await pushNdjson('K2', events(2, 'c'))).status).toBe(202);
    const reused = await pushNdjson('K2', events(7_000, 'd'));
    expect(reused.status).toBe(422);
    expect((await intakeLength('behavior')) - before).toBe(2);
  });

  test('a shorter resend of the same records under the key is a different request, not a partial replay', async () => {
    const records = events(7_000, 'e');
    const before = await intakeLength('behavior');
    expect((await pushNdjson('K3', records)).body).toEqual({ topic: 'behavior', accepted: 7_000 });
    expect((await pushNdjson('K3', records.slice(0, 5_000))).status).toBe(422);
    expect((await intakeLength('behavior')) - before).toBe(7_000);
  });

  test('the same key with the same body is a replay: the first answer again, nothing stored twice', async () => {
    const records = events(7_000, 'f');
    const before = await intakeLength('behavior');
    const first = await pushNdjson('K4', records);
    const again = await pushNdjson('K4', records);
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body).toEqual(first.body);
    expect((await intakeLength('behavior')) - before).toBe(7_000);
  });

  test('the same records as JSON instead of NDJSON are another body: refused under the NDJSON key', async () => {
    expect((await pushNdjson('K5', events(2, 'g'))).status).toBe(202);
    const asJson = await send(rig.server.url, '/v1/streams/behavior/records', {
      headers: { ...JSON_TYPE, 'idempotency-key': 'K5' },
      body: JSON.stringify(events(2, 'g')),
    });
    expect(asJson.status).toBe(422);
  });

  test('the TS API refuses a key reused with other records, and replays the same ones', async () => {
    const before = await intakeLength('behavior');
    await rig.pipeline.intake.push('behavior', events(3, 'h'), 'records', { idempotencyKey: 'api-1' });
    await expect(rig.pipeline.intake.push('behavior', events(3, 'i'), 'records', { idempotencyKey: 'api-1' })).rejects.toThrow(IdempotencyKeyReusedError);
    await expect(rig.pipeline.intake.push('behavior', events(3, 'h'), 'records', { idempotencyKey: 'api-1' })).resolves.toMatchObject({ accepted: 3 });
    expect((await intakeLength('behavior')) - before).toBe(3);
  });

  test('property: over random bodies and repeated keys, every acknowledged record is stored, once', async () => {
    // A pool of few keys and few bodies makes repeats (replays and reuses) the common case.
    const request = fc.record({ key: fc.constantFrom('p1', 'p2', 'p3', null), body: fc.integer({ min: 0, max: 4 }), size: fc.constantFrom(1, 2, 3, 5_001) });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 8 }), async (requests) => {
        round += 1;
        const topic = 'behavior';
        const before = await intakeLength(topic);
        const firstBody = new Map<string, string>();
        let acknowledged = 0;
        for (const { key, body, size } of requests) {
          const text = ndjson(events(size, `r${round}-b${body}`));
          const fullKey = key === null ? undefined : `${key}-${round}`;
          const answer = await send(rig.server.url, `/v1/streams/${topic}/records`, {
            headers: { ...NDJSON_TYPE, ...(fullKey === undefined ? {} : { 'idempotency-key': fullKey }) },
            body: text,
          });
          const known = fullKey === undefined ? undefined : firstBody.get(fullKey);
          if (known === undefined) {
            expect(answer.status).toBe(202);
            acknowledged += size;
            if (fullKey !== undefined) firstBody.set(fullKey, text);
          } else if (known === text) {
            expect(answer.status).toBe(202);
            expect(answer.body).toEqual({ topic, accepted: size });
          } else {
            expect(answer.status).toBe(422);
          }
        }
        expect((await intakeLength(topic)) - before).toBe(acknowledged);
      }),
      { numRuns: 25 },
    );
  });
});
