import { ByteairClient, clientOptionsFrom } from 'byteair-sync/internal/src/byteair/client.js';
import { encodeWriteBody } from 'byteair-sync/internal/src/byteair/payload.js';
import type { Config } from 'byteair-sync/internal/src/config/config.js';
import type { EmulatorControl } from 'byteair-emulator';
import { systemClock } from 'byteair-sync/internal/src/clock.js';
import { prng, seriesRecords } from './records.js';

/** Rounds of warm-up writes; each round sends `PER_ROUND` full chunks at once. */
const ROUNDS = 3;
const PER_ROUND = 5;
const RECORDS = 10_000;

/**
 * A freshly started emulator stamps its first requests 40–70 ms late (its code is not yet
 * compiled, its body threads not yet warm), and that skews the first measured second: the
 * real API has served traffic for months. So before a run's workers start, the emulator
 * serves a few rounds of full-size writes, paced a window apart so none is refused, from
 * this process (which has no HTTP tap, so they stay out of the tap's figures), and then is
 * reset: stats, ledger, rate windows and Request-Ids back to their start-up state.
 */
export async function warmEmulator(emulator: EmulatorControl, config: Config): Promise<void> {
  const client = new ByteairClient(clientOptionsFrom(config, systemClock, Math.random));
  const random = prng(7);
  const bodies = Array.from({ length: PER_ROUND }, (_, i) => encodeWriteBody([...seriesRecords('item', `warm-${i}`, 0, RECORDS, random)]));
  for (let round = 0; round < ROUNDS; round += 1) {
    await Promise.all(
      bodies.map(async (body, i) => {
        const { result } = await client.writeData({ topic: 'item', stage: 'history_sync', date: '2000-01-01', requestId: `bench-warm-${round}-${i}`, body });
        if (result.kind !== 'accepted') throw new Error(`emulator warm-up write ${round}/${i} was answered ${JSON.stringify(result)}`);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
  await emulator.reset();
}
