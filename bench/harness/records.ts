import { DEFAULT_ID_FIELDS } from 'byteair-emulator';

/**
 * Deterministic records of about 300 bytes of JSON, with the emulator ledger's id field of
 * their topic, so every run sends the same data and every record can be accounted for.
 * The text is made of random syllables and the numbers are random: gzip gets roughly what it
 * gets on real catalogue data, not the 20x of repeated filler.
 */

/** mulberry32: small, fast and good enough to make varied text. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'sho', 'ta', 'vu', 'zen', 'pi', 'dra', 'qu', 'fel', 'no', 'ar', 'ix', 'ope'];

function word(random: () => number): string {
  const n = 2 + Math.floor(random() * 3);
  let w = '';
  for (let i = 0; i < n; i += 1) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)] ?? 'a';
  return w;
}

function words(random: () => number, count: number): string {
  return Array.from({ length: count }, () => word(random)).join(' ');
}

function idFieldOf(topic: string): string {
  return DEFAULT_ID_FIELDS[topic] ?? 'id';
}

/** The id of the n-th record of a series (a batch, or one producer's pushes to one topic). */
export function recordId(series: string, n: number): string {
  return `${series}-${n}`;
}

/** One record of about 300 bytes of JSON. */
export function makeRecord(topic: string, id: string, random: () => number): Record<string, unknown> {
  return {
    [idFieldOf(topic)]: id,
    title: words(random, 5),
    brand: word(random),
    category: `${word(random)}/${word(random)}`,
    price: Math.round(random() * 100_000) / 100,
    status: 1,
    pub_time: 1_640_000_000 + Math.floor(random() * 1_000_000),
    tags: [word(random), word(random), word(random)],
    description: words(random, 10),
  };
}

/** Records `from` .. `from + count - 1` of a series. */
export function* seriesRecords(topic: string, series: string, from: number, count: number, random: () => number): Generator<Record<string, unknown>> {
  for (let n = from; n < from + count; n += 1) yield makeRecord(topic, recordId(series, n), random);
}
