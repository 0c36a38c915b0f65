import { chunkRecords, type Chunk } from '../../src/batches/chunker.js';
import { InvalidInputError } from '../../src/errors/invalid-input-error.js';

async function collect(records: Iterable<unknown> | AsyncIterable<unknown>, maxRecords: number, maxBytes: number): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for await (const chunk of chunkRecords(records, { maxRecords, maxBytes })) out.push(chunk);
  return out;
}

describe('chunkRecords', () => {
  test('cuts at maxRecords and keeps order; each chunk is a valid JSON array', async () => {
    const records = Array.from({ length: 25 }, (_, i) => ({ id: `r${i}` }));
    const chunks = await collect(records, 10, 1_000_000);
    expect(chunks.map((c) => c.records)).toEqual([10, 10, 5]);
    expect(chunks.flatMap((c) => JSON.parse(c.json.toString()) as unknown[])).toEqual(records);
    for (const chunk of chunks) expect(chunk.bytes).toBe(Buffer.byteLength(chunk.json));
  });

  test('cuts before the byte cap is exceeded, counting brackets and commas exactly', async () => {
    const record = { id: 'x'.repeat(40) }; // 49 bytes of JSON
    const one = JSON.stringify(record).length;
    const cap = 2 + one * 3 + 2; // room for exactly three records
    const chunks = await collect(
      Array.from({ length: 7 }, () => record),
      100,
      cap,
    );
    expect(chunks.map((c) => c.records)).toEqual([3, 3, 1]);
    for (const chunk of chunks) expect(chunk.bytes).toBeLessThanOrEqual(cap);
  });

  test('the same records make the same chunk identity; different records a different one', async () => {
    const [a] = await collect([{ id: 1 }], 10, 1000);
    const [b] = await collect([{ id: 1 }], 10, 1000);
    const [c] = await collect([{ id: 2 }], 10, 1000);
    expect(a?.sha256).toBe(b?.sha256);
    expect(a?.sha256).not.toBe(c?.sha256);
  });

  test('consumes async iterables lazily', async () => {
    let produced = 0;
    async function* source(): AsyncGenerator {
      for (let i = 0; i < 30; i += 1) {
        produced += 1;
        yield await Promise.resolve({ i });
      }
    }
    const iterator = chunkRecords(source(), { maxRecords: 10, maxBytes: 1_000_000 });
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // The first chunk is cut when the 11th record arrives, not after reading everything.
    expect(produced).toBe(11);
    await iterator.return(undefined);
  });

  test('a record larger than the byte cap is refused naming its index', async () => {
    await expect(collect([{ a: 1 }, { big: 'y'.repeat(200) }], 10, 100)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'records[1]' });
  });

  test('a bad record is refused with its path', async () => {
    const error = await collect([{ ok: 1 }, { nested: { n: Number.NaN } }], 10, 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'records[1].nested.n' });
    expect((error as Error).message).toContain('NaN');
  });
});
