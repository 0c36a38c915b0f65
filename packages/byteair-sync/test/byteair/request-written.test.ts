import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onRequestWritten } from '../../src/byteair/request-written.js';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Sends one POST and returns the order in which the written callback and 'finish' came. */
async function post(agent: Agent): Promise<{ order: string[]; reused: boolean }> {
  return await new Promise((resolve, reject) => {
    const order: string[] = [];
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ order, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    // Listening to 'finish' first: a callback fired from 'finish' comes after it.
    req.on('finish', () => order.push('finish'));
    onRequestWritten(req, () => order.push('written'));
    req.end(Buffer.alloc(200_000));
  });
}

test('on a new connection it waits for the bytes to leave (finish); on a reused one it fires as they are written, before finish; once each', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await post(agent);
    expect(first).toEqual({ order: ['finish', 'written'], reused: false });
    const second = await post(agent);
    expect(second).toEqual({ order: ['written', 'finish'], reused: true });
  } finally {
    agent.destroy();
  }
});
