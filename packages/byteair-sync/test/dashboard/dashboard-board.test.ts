import { gunzipSync } from 'node:zlib';
import { appRoutes } from '@bull-board/api/dist/routes.js';
import type { RunningDashboard } from '../../dashboards/dashboard-server.js';
import { TEST_SK } from '../../../../test/support/pipeline.js';
import { startTestRedis, type TestRedis } from '../../../../test/support/redis.js';
import { call, jsonOf, logIn, type Reply } from './support/dashboard-http.js';
import { DASHBOARD_PASSWORD, DASHBOARD_USER, LOGIN_ENV, startTestDashboard } from './support/test-dashboard.js';
import { PAYLOAD_MARKER, startWorkedSystem, type WorkedSystem } from './support/worked-system.js';

interface BoardJob {
  readonly id: string;
  readonly name: string;
  readonly data: Record<string, unknown>;
  readonly returnValue: Record<string, unknown> | null;
}
interface BoardQueue {
  readonly name: string;
  readonly counts: Record<string, number>;
  readonly jobs: readonly BoardJob[];
  readonly readOnlyMode: boolean;
  readonly isPaused: boolean;
}

let redis: TestRedis;
let system: WorkedSystem;
let readOnly: RunningDashboard;
let writable: RunningDashboard;
let readOnlyCookie: string;
let writableCookie: string;

beforeAll(async () => {
  redis = await startTestRedis('dash-board');
  system = await startWorkedSystem(redis);
  readOnly = await startTestDashboard(redis, { ...system.env, ...LOGIN_ENV, BYTEAIR_DASHBOARD_READ_ONLY: 'true' });
  writable = await startTestDashboard(redis, { ...system.env, ...LOGIN_ENV });
  readOnlyCookie = await logIn(readOnly.url, DASHBOARD_USER, DASHBOARD_PASSWORD);
  writableCookie = await logIn(writable.url, DASHBOARD_USER, DASHBOARD_PASSWORD);
});
afterAll(async () => {
  await readOnly.close();
  await writable.close();
  await system.stop();
  await redis.stop();
});

async function boardQueues(dashboard: RunningDashboard, cookie: string, queue: string, status: string): Promise<{ reply: Reply; queues: BoardQueue[] }> {
  const reply = await call(dashboard.url, `/board/api/queues?activeQueue=${queue}&status=${status}&page=1&jobsPerPage=50`, { cookie });
  expect(reply.status).toBe(200);
  return { reply, queues: jsonOf<{ queues: BoardQueue[] }>(reply).queues };
}

const STATUSES = ['latest', 'completed', 'delayed', 'waiting', 'prioritized', 'active', 'failed'];

describe('what the board shows of jobs', () => {
  test('both queues are listed with their counts', async () => {
    const { queues } = await boardQueues(readOnly, readOnlyCookie, 'upload', 'latest');
    expect(queues.map((q) => q.name).sort()).toEqual(['done', 'upload']);
    const upload = queues.find((q) => q.name === 'upload');
    // 3 + 1 chunks of item pre_sync, 1 of user pre_sync done; 2 user history chunks held.
    expect(upload?.counts).toMatchObject({ completed: 5, delayed: 2 });
  });

  test('a job shows ids and counts: kind, topic, stage, date, records, bytes, Request-Id, blob key, and its outcome', async () => {
    const { queues } = await boardQueues(readOnly, readOnlyCookie, 'upload', 'completed');
    const jobs = queues.find((q) => q.name === 'upload')?.jobs ?? [];
    expect(jobs).toHaveLength(5);
    const partial = jobs.find((j) => j.returnValue?.outcome === 'partial');
    expect(partial?.data).toEqual({
      kind: 'write',
      topic: 'item',
      stage: 'pre_sync',
      date: '2022-01-01',
      requestId: expect.any(String) as string,
      enqueuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
      records: 5,
      bytes: expect.any(Number) as number,
      batchId: 'item/pre_sync/2022-01-01',
      blobKey: expect.any(String) as string,
    });
    expect(partial?.returnValue).toEqual({ outcome: 'partial', records: 5, rejected: 1 });
    expect(partial?.name).toMatch(/ item\/pre_sync\/2022-01-01 ×5$/);
  });

  test('no board answer ever carries a record payload or the secret key: every queue, every state, every job, its logs and the page', async () => {
    const answers: Reply[] = [];
    const ids = new Map<string, string[]>();
    for (const queue of ['upload', 'done']) {
      for (const status of STATUSES) {
        const { reply, queues } = await boardQueues(readOnly, readOnlyCookie, queue, status);
        answers.push(reply);
        for (const job of queues.find((q) => q.name === queue)?.jobs ?? []) ids.set(queue, [...(ids.get(queue) ?? []), job.id]);
      }
    }
    expect(ids.get('upload')?.length).toBeGreaterThanOrEqual(7);
    expect(ids.get('done')?.length).toBeGreaterThanOrEqual(2);
    for (const [queue, jobIds] of ids) {
      for (const id of new Set(jobIds)) {
        const job = await call(readOnly.url, `/board/api/queues/${queue}/${encodeURIComponent(id)}`, { cookie: readOnlyCookie });
        expect(job.status).toBe(200);
        answers.push(job, await call(readOnly.url, `/board/api/queues/${queue}/${encodeURIComponent(id)}/logs`, { cookie: readOnlyCookie }));
      }
    }
    answers.push(await call(readOnly.url, '/board/', { cookie: readOnlyCookie }));
    answers.push(
      await call(readOnly.url, '/status', { cookie: readOnlyCookie }),
      await call(readOnly.url, '/api/status', { cookie: readOnlyCookie }),
      await call(readOnly.url, '/metrics', { cookie: readOnlyCookie }),
    );
    // The marker is really in Redis (so its absence above means something): in the blobs and the held intake.
    expect(await redisHolds(PAYLOAD_MARKER)).toBe(true);
    const leaks = answers.filter((a) => a.text.includes(PAYLOAD_MARKER) || a.text.includes(TEST_SK));
    expect(leaks.map((a) => a.text.slice(0, 200))).toEqual([]);
  });
});

/** Whether any blob (gzip) or intake entry under this file's prefix contains `text`. */
async function redisHolds(text: string): Promise<boolean> {
  const client = redis.client();
  for (const key of await client.keys(`*${system.ops.keys.tag}*`)) {
    const type = await client.type(key);
    const value = type === 'string' ? await client.getBuffer(key) : type === 'stream' ? Buffer.from(JSON.stringify(await client.xrange(key, '-', '+'))) : null;
    if (value === null) continue;
    const plain = value[0] === 0x1f && value[1] === 0x8b ? gunzipSync(value) : value;
    if (plain.includes(text)) return true;
  }
  return false;
}

describe('read-only mode (BYTEAIR_DASHBOARD_READ_ONLY=true)', () => {
  test('every queue says readOnlyMode, so the UI shows no retry, clean, promote or pause buttons', async () => {
    const { queues } = await boardQueues(readOnly, readOnlyCookie, 'upload', 'latest');
    expect(queues.map((q) => q.readOnlyMode)).toEqual([true, true]);
    const page = await call(readOnly.url, '/board/', { cookie: readOnlyCookie });
    expect(page.text).toContain('"label":"read-only"');
    const writablePage = await call(writable.url, '/board/', { cookie: writableCookie });
    expect(writablePage.text).not.toContain('"label":"read-only"');
  });

  test('every write endpoint answers 405 and changes nothing', async () => {
    const { queues } = await boardQueues(readOnly, readOnlyCookie, 'upload', 'delayed');
    const heldId = encodeURIComponent(queues.find((q) => q.name === 'upload')?.jobs[0]?.id ?? 'missing');
    const writes: Array<[string, string, string?]> = [
      ['PUT', `/api/queues/upload/${heldId}/retry`],
      ['PUT', `/api/queues/upload/${heldId}/promote`],
      ['PUT', `/api/queues/upload/${heldId}/clean`],
      ['PATCH', `/api/queues/upload/${heldId}/update-data`, '{"data":{}}'],
      ['PATCH', `/api/queues/upload/${heldId}/delay`, '{"runAt":0}'],
      ['PUT', '/api/queues/upload/retry/failed'],
      ['PUT', '/api/queues/upload/promote'],
      ['PUT', '/api/queues/upload/clean/completed'],
      ['PUT', '/api/queues/upload/pause'],
      ['PUT', '/api/queues/done/resume'],
      ['PUT', '/api/queues/upload/empty'],
      ['PUT', '/api/queues/upload/obliterate'],
      ['POST', '/api/queues/upload/add', '{"name":"x","data":{}}'],
      ['PUT', '/api/queues/upload/rate-limit', '{"max":1,"duration":1000}'],
      ['PUT', '/api/queues/upload/concurrency', '{"concurrency":1}'],
    ];
    for (const [method, path, body] of writes) {
      const reply = await call(readOnly.url, `/board${path}`, {
        method,
        cookie: readOnlyCookie,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      });
      expect(`${method} ${path} → ${reply.status}`).toBe(`${method} ${path} → 405`);
    }
    const after = await system.ops.operations.status();
    expect(after.queues.upload).toMatchObject({ completed: 5, delayed: 2, paused: false });
  });

  test("every route of Bull Board's own table that is not a GET answers 405 BOARD_READ_ONLY with Allow: GET, HEAD, naming the route; pause all and resume all too", async () => {
    const [held] = await system.ops.queues.upload.getJobs(['delayed']);
    const params: Readonly<Record<string, string>> = {
      queueName: 'upload',
      jobId: encodeURIComponent(held?.id ?? 'missing'),
      queueStatus: 'failed',
      schedulerId: 'none',
    };
    const writes = appRoutes.api.flatMap((route) =>
      [route.method]
        .flat()
        .filter((method) => method !== 'get')
        .flatMap((method) =>
          [route.route].flat().map((path) => [method.toUpperCase(), path.replace(/:(\w+)/g, (_, name: string) => params[name] ?? name)] as const),
        ),
    );
    // The ones that answered 200 doing nothing before the dashboard refused them itself.
    expect(writes).toEqual(
      expect.arrayContaining([
        ['PUT', '/api/queues/pause'],
        ['PUT', '/api/queues/resume'],
      ]),
    );
    expect(writes.length).toBeGreaterThan(20);
    for (const [method, path] of writes) {
      const reply = await call(readOnly.url, `/board${path}`, { method, cookie: readOnlyCookie, headers: { 'content-type': 'application/json' }, body: '{}' });
      const error = reply.status === 405 ? jsonOf<{ error?: { code?: string; message?: string } }>(reply).error : undefined;
      expect(`${method} ${path} → ${reply.status} ${error?.code ?? ''} ${reply.headers.allow ?? ''}`).toBe(`${method} ${path} → 405 BOARD_READ_ONLY GET, HEAD`);
      expect(error?.message).toContain(`${method} /board${path} would change a queue or a job, and this board is read-only (BYTEAIR_DASHBOARD_READ_ONLY=true)`);
    }
    const after = await system.ops.operations.status();
    expect(after.queues.upload).toMatchObject({ completed: 5, delayed: 2, paused: false });
    expect(after.queues.done.paused).toBe(false);
    // Reading still works.
    expect((await call(readOnly.url, '/board/api/queues?activeQueue=upload&status=latest&page=1', { cookie: readOnlyCookie, method: 'HEAD' })).status).toBe(
      200,
    );
  });
});

describe('actions refused even on a writable board', () => {
  test('adding, editing, emptying, obliterating, cleaning, removing, rescheduling, rate limits and concurrency answer 405 BOARD_ACTION_DISABLED', async () => {
    for (const [method, path] of DISABLED) {
      const reply = await call(writable.url, `/board${path}`, { method, cookie: writableCookie, headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(`${method} ${path} → ${reply.status} ${jsonOf<{ error?: { code?: string } }>(reply).error?.code ?? ''}`).toBe(
        `${method} ${path} → 405 BOARD_ACTION_DISABLED`,
      );
    }
    expect((await system.ops.operations.status()).queues.upload).toMatchObject({ completed: 5, delayed: 2 });
  });

  test('nor can they be reached by another spelling of the path (case, trailing slash, encoded letters)', async () => {
    // A real job, so a request that got through to Bull Board would act (200) or complain about the body (400).
    const jobId = encodeURIComponent((await system.ops.queues.upload.getJobs(['completed']))[0]?.id ?? 'missing');
    for (const [method, template] of DISABLED) {
      const path = template.replace('some-job', jobId);
      const last = path.lastIndexOf('/');
      const action = path.slice(last + 1);
      const variants = [
        path.replace('/api/', '/API/'),
        `${path.slice(0, last)}/${action.toUpperCase()}`,
        `${path}/`,
        `${path.slice(0, last)}/%${action.charCodeAt(0).toString(16)}${action.slice(1)}`,
      ];
      for (const variant of variants) {
        const reply = await call(writable.url, `/board${variant}`, {
          method,
          cookie: writableCookie,
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        const code =
          reply.status === 405 || reply.status === 404 ? (jsonOf<{ error?: { code?: string } }>(reply).error?.code ?? 'from Bull Board') : 'reached Bull Board';
        // 404 NOT_FOUND is ours: no route took the request.
        expect(`${method} ${variant} → ${reply.status} ${code}`).toMatch(/→ (405 BOARD_ACTION_DISABLED|404 NOT_FOUND)$/);
      }
    }
    expect((await system.ops.operations.status()).queues.upload).toMatchObject({ completed: 5, delayed: 2 });
  });

  test('rescheduling a held job answers 405 and leaves it where the stage guard put it', async () => {
    const [held] = await system.ops.queues.upload.getJobs(['delayed']);
    const id = held?.id ?? 'missing';
    const runAt = Date.now() + 10 * 24 * 60 * 60 * 1000;
    const reply = await writableCall(`/api/queues/upload/${encodeURIComponent(id)}/delay`, 'PATCH', { runAt });
    expect(disabledCode(reply)).toBe('405 BOARD_ACTION_DISABLED');
    const after = await system.ops.queues.upload.getJob(id);
    // Had it got through, the job would wait ten days and its batch never reach its Done.
    expect(after?.delay).toBeLessThan(24 * 60 * 60 * 1000);
    expect(await after?.getState()).toBe('delayed');
  });

  test("releasing the rate limit answers 405 and leaves the circuit breaker's pause in force", async () => {
    const upload = system.ops.queues.upload;
    // What an open circuit or a 429 does to every worker (SyncEnqueuer.pauseAll).
    await upload.rateLimit(60_000);
    try {
      const reply = await writableCall('/api/queues/upload/rate-limit/release', 'PUT', {});
      expect(disabledCode(reply)).toBe('405 BOARD_ACTION_DISABLED');
      expect(await upload.getRateLimitTtl()).toBeGreaterThan(50_000);
    } finally {
      await upload.removeRateLimitKey();
    }
  });

  test('setting a queue rate limit or a global concurrency answers 405 and stores nothing', async () => {
    const upload = system.ops.queues.upload;
    try {
      const rate = await writableCall('/api/queues/upload/rate-limit', 'PUT', { max: 1, duration: 60_000 });
      expect(disabledCode(rate)).toBe('405 BOARD_ACTION_DISABLED');
      const concurrency = await writableCall('/api/queues/upload/concurrency', 'PUT', { concurrency: 1 });
      expect(disabledCode(concurrency)).toBe('405 BOARD_ACTION_DISABLED');
      expect(await upload.getGlobalRateLimit()).toBeNull();
      expect(await upload.getGlobalConcurrency()).toBeNull();
    } finally {
      await upload.removeGlobalRateLimit();
      await upload.removeGlobalConcurrency();
    }
  });

  test('pause and resume, the operator actions, do work', async () => {
    const paused = await call(writable.url, '/board/api/queues/done/pause', { method: 'PUT', cookie: writableCookie });
    expect(paused.status).toBe(200);
    expect((await system.ops.operations.status()).queues.done.paused).toBe(true);
    expect((await call(writable.url, '/board/api/queues/done/resume', { method: 'PUT', cookie: writableCookie })).status).toBe(200);
    expect((await system.ops.operations.status()).queues.done.paused).toBe(false);
  });
});

const DISABLED: ReadonlyArray<readonly [string, string]> = [
  ['POST', '/api/queues/upload/add'],
  ['PATCH', '/api/queues/upload/some-job/update-data'],
  ['PUT', '/api/queues/upload/empty'],
  ['PUT', '/api/queues/upload/obliterate'],
  ['PUT', '/api/queues/upload/clean/completed'],
  ['PUT', '/api/queues/upload/some-job/clean'],
  ['PATCH', '/api/queues/upload/some-job/delay'],
  ['PUT', '/api/queues/upload/rate-limit'],
  ['PUT', '/api/queues/upload/rate-limit/release'],
  ['PUT', '/api/queues/upload/concurrency'],
];

function writableCall(path: string, method: string, body: Record<string, unknown>): Promise<Reply> {
  return call(writable.url, `/board${path}`, { method, cookie: writableCookie, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** `405 BOARD_ACTION_DISABLED` when the dashboard refused it; Bull Board's own answers have no such code. */
function disabledCode(reply: Reply): string {
  const code = reply.headers['content-type']?.includes('json') === true ? (jsonOf<{ error?: { code?: string } }>(reply).error?.code ?? '') : '';
  return `${reply.status} ${code}`.trim();
}
