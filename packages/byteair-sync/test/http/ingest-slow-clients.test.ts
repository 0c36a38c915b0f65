import { connect, type Socket } from 'node:net';
import { startIngestServer, type RunningIngestServer } from '../../src/http/ingest-server.js';
import { testConfig, testPipeline, type TestPipeline } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { eventually } from '../../../../test/support/eventually.js';
import { INGEST_TOKEN } from './support/ingest-client.js';

// The smallest timeouts the settings accept, so each case takes about a second; the cap is 3 so
// three held connections reach it.
const ENV = {
  BYTEAIR_INGEST_TOKEN: INGEST_TOKEN,
  BYTEAIR_DATE_ZONE: 'UTC',
  BYTEAIR_HTTP_HEADERS_TIMEOUT_MS: '1000',
  BYTEAIR_HTTP_REQUEST_TIMEOUT_MS: '1000',
  BYTEAIR_HTTP_MAX_CONNECTIONS: '3',
};

let redis: TestRedis;
let server: RunningIngestServer;
let pipeline: TestPipeline;
let port: number;

beforeAll(async () => {
  redis = await startTestRedis('ingest-slow');
  server = await startIngestServer(testConfig(redis, ENV), { host: '127.0.0.1', port: 0 });
  pipeline = testPipeline(redis, ENV);
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.close();
  await pipeline.close();
  await redis.stop();
});

interface Ended {
  /** Everything the server wrote before it closed the connection. */
  readonly received: string;
}

/** A raw connection: what it receives, and a promise that settles when the server closes it. */
function open(): Promise<{ socket: Socket; ended: Promise<Ended> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const ended = new Promise<Ended>((done) => {
      socket.on('close', () => done({ received }));
    });
    // A reset from the server is a close too; the test reads what arrived before it.
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, ended }));
    socket.once('error', reject);
  });
}

const STREAM_HEAD = (length: number): string =>
  `POST /v1/streams/user/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${INGEST_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

async function intakeLength(): Promise<number> {
  return await pipeline.redis.xlen(pipeline.keys.intake('user'));
}

test('headers that never finish are answered 408 and the connection closes', async () => {
  const { socket, ended } = await open();
  socket.write('POST /v1/streams/user/records HTTP/1.1\r\nHost: x\r\n');
  const { received } = await ended;
  expect(received).toMatch(/^HTTP\/1\.1 408 /);
});

test('a body that stalls is answered 408, the connection closes and nothing is taken', async () => {
  const before = await intakeLength();
  const { socket, ended } = await open();
  socket.write(`${STREAM_HEAD(1000)}[{"id":"a"`);
  const { received } = await ended;
  expect(received).toMatch(/^HTTP\/1\.1 408 /);
  expect(await intakeLength()).toBe(before);
});

test('a body trickled a byte at a time cannot hold the connection past the request timeout', async () => {
  const { socket, ended } = await open();
  socket.write(STREAM_HEAD(1000));
  // A byte every 50 ms keeps the socket busy, which an idle timeout would never catch.
  const trickle = setInterval(() => {
    if (!socket.destroyed) socket.write(' ');
  }, 50);
  try {
    const { received } = await ended;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  } finally {
    clearInterval(trickle);
  }
});

/** /healthz's status, asked again (up to 5 s) while the server still refuses the connection. */
async function healthzOnceServed(): Promise<number> {
  return await eventually(
    async () => {
      try {
        return (await fetch(`${server.url}/healthz`, { headers: { connection: 'close' } })).status;
      } catch {
        return undefined;
      }
    },
    '/healthz to be served',
    5_000,
    50,
  );
}

test('connections beyond BYTEAIR_HTTP_MAX_CONNECTIONS are closed on arrival; a freed place serves again', async () => {
  const [first, ...others] = [await open(), await open(), await open()];
  const held = [first, ...others];
  // Each sends part of its headers, so the server holds it as a request in progress.
  for (const { socket } of held) socket.write('GET /healthz HTTP/1.1\r\n');
  const extra = await open();
  const { received } = await extra.ended;
  expect(received).toBe('');

  first.socket.destroy();
  await first.ended;
  // The server learns of the close a moment after the client does: until then the place is still taken.
  expect(await healthzOnceServed()).toBe(200);
  for (const { socket } of held) socket.destroy();
  await Promise.all(held.map((h) => h.ended));
});
