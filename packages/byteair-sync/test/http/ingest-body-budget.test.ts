import { connect, type Socket } from 'node:net';
import { eventually } from '../../../../test/support/eventually.js';
import { INGEST_TOKEN, JSON_TYPE, send, type Answer } from './support/ingest-client.js';
import { useIngestRig } from './support/ingest-rig.js';

// One largest body fills the whole budget, so a body held half-sent leaves no room for another.
const MiB = 1024 * 1024;
const ENV = {
  BYTEAIR_INGEST_TOKEN: INGEST_TOKEN,
  BYTEAIR_DATE_ZONE: 'UTC',
  BYTEAIR_INGEST_MAX_BODY_BYTES: String(MiB),
  BYTEAIR_INGEST_MAX_INFLIGHT_BYTES: String(MiB),
};
const STREAM = '/v1/streams/user/records';

const rig = useIngestRig('ingest-budget', ENV);

async function intakeLength(): Promise<number> {
  return await rig.pipeline.redis.xlen(rig.pipeline.keys.intake('user'));
}

/** A request that declares a full-size body and sends only its first bytes, then waits. */
async function holdFullBody(): Promise<{ socket: Socket; closed: Promise<void> }> {
  const url = new URL(rig.server.url);
  const socket = connect(Number(url.port), url.hostname);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `POST ${STREAM} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${INGEST_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${MiB}\r\n\r\n[{"id":"held"`,
  );
  // The declared length is taken once the server has read the headers. A body that is not
  // records shows when: 400 while there is room, 503 once the share is held, never stored.
  await eventually(
    async () => {
      const probe = await send(rig.server.url, STREAM, { headers: JSON_TYPE, body: '[1]' });
      if (probe.status !== 503) expect(probe.status).toBe(400);
      return probe.status === 503;
    },
    'the held request to take its share',
    10_000,
    20,
  );
  return { socket, closed };
}

const small = JSON.stringify([{ id: 'a' }, { id: 'b' }]);

test('a body that does not fit in BYTEAIR_INGEST_MAX_INFLIGHT_BYTES is answered 503 INGEST_BUSY with Retry-After, and nothing is taken', async () => {
  const held = await holdFullBody();
  const before = await intakeLength();
  const answer = await send(rig.server.url, STREAM, { headers: JSON_TYPE, body: small });
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toBe('1');
  expect(answer.error).toMatchObject({ code: 'INGEST_BUSY', limit: MiB, retryAfterSeconds: 1 });
  expect(await intakeLength()).toBe(before);

  // The held request goes away; its share comes back and the same body is taken.
  held.socket.destroy();
  await held.closed;
  const retried: Answer = await eventually(
    async () => {
      const again = await send(rig.server.url, STREAM, { headers: JSON_TYPE, body: small });
      return again.status === 503 ? undefined : again;
    },
    'the share to come back',
    10_000,
    50,
  );
  expect(retried.status).toBe(202);
  expect(retried.body).toMatchObject({ accepted: 2 });
  expect(await intakeLength()).toBe(before + 2);
});

test('shares are given back when answered: many bodies in a row, each most of the budget, are all taken', async () => {
  const before = await intakeLength();
  const big = JSON.stringify(Array.from({ length: 7_000 }, (_, i) => ({ id: `big-${i}`, pad: 'x'.repeat(100) })));
  expect(Buffer.byteLength(big)).toBeGreaterThan(MiB / 2);
  for (let i = 0; i < 5; i += 1) {
    const answer = await send(rig.server.url, STREAM, { headers: JSON_TYPE, body: big });
    expect(answer.status).toBe(202);
  }
  expect(await intakeLength()).toBe(before + 5 * 7_000);
});
