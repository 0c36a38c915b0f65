import { done, items, manualMonotonic, nextRequestId, TENANT, withEmulator, write } from './support/fixture.js';
import { doneAnswer, writeAnswer, type Reply } from './support/http.js';

/*
 * Sliding 1-second windows per application, on a monotonic clock the test moves by hand:
 * every figure below is exact and no test depends on how fast the machine is.
 */
function codeOf(reply: Reply): number {
  return writeAnswer(reply).status.code;
}

test('above maxRequestsPerSecond a request gets status 429 with Retry-After; the window is half-open', async () => {
  const clock = manualMonotonic(10_000);
  await withEmulator({ monotonicNow: clock.read, limits: { maxRequestsPerSecond: 3 } }, async (emulator) => {
    for (let i = 0; i < 3; i += 1) expect(codeOf(await write(emulator, items(1, `a${i}-`)))).toBe(0);
    clock.now = 10_999;
    const limited = await write(emulator, items(1, 'b-'));
    expect(limited.status).toBe(200);
    expect(limited.headers['retry-after']).toBe('1');
    expect(writeAnswer(limited).status).toEqual({ code: 429, message: 'too many requests', success: false });
    clock.now = 11_000;
    // The first three arrived at 10 000: (10 000, 11 000] no longer holds them.
    expect(codeOf(await write(emulator, items(1, 'c-')))).toBe(0);
    const stats = emulator.stats();
    expect(stats.totals).toMatchObject({ rateLimited: 1, writeRequests: 4, acceptedRecords: 4 });
    expect(stats.windows).toEqual({
      maxRequestsInWindow: 4,
      maxRecordsInWindow: 4,
      maxAdmittedRequestsInWindow: 3,
      maxAdmittedRecordsInWindow: 3,
      requestsOverCeiling: 1,
      recordsOverCeiling: 0,
    });
  });
});

test('above maxRecordsPerSecond a request gets 429; a smaller one that fits is admitted', async () => {
  const clock = manualMonotonic();
  await withEmulator({ monotonicNow: clock.read, limits: { maxRecordsPerSecond: 100 } }, async (emulator) => {
    expect(codeOf(await write(emulator, items(60, 'a')))).toBe(0);
    clock.now = 500;
    expect(codeOf(await write(emulator, items(50, 'b')))).toBe(429);
    expect(codeOf(await write(emulator, items(40, 'c')))).toBe(0);
    const stats = emulator.stats();
    expect(stats.totals).toMatchObject({ rateLimited: 1, acceptedRecords: 100 });
    expect(stats.windows).toMatchObject({ maxRecordsInWindow: 150, maxAdmittedRecordsInWindow: 100, recordsOverCeiling: 2, requestsOverCeiling: 0 });
  });
});

test('a 429-refused request is not applied and its Request-Id can be sent again', async () => {
  const clock = manualMonotonic();
  await withEmulator({ monotonicNow: clock.read, limits: { maxRequestsPerSecond: 1 } }, async (emulator) => {
    expect(codeOf(await write(emulator, items(1, 'first-')))).toBe(0);
    const requestId = nextRequestId('retry');
    expect(codeOf(await write(emulator, items(2, 'second-'), { requestId }))).toBe(429);
    clock.now = 1000;
    expect(codeOf(await write(emulator, items(2, 'second-'), { requestId }))).toBe(0);
    expect(emulator.stats().totals).toMatchObject({ rateLimited: 1, duplicateRequests: 0, writeRequests: 2, acceptedRecords: 3 });
    expect(emulator.stats().topics.item).toMatchObject({ uniqueIds: 3, duplicateIds: 0 });
  });
});

test('rateLimitAnswer "http" answers HTTP 429 with Retry-After', async () => {
  const clock = manualMonotonic();
  await withEmulator({ monotonicNow: clock.read, limits: { maxRequestsPerSecond: 1 }, rateLimitAnswer: 'http' }, async (emulator) => {
    await write(emulator, items(1));
    const reply = await write(emulator, items(1, 'x'));
    expect(reply.status).toBe(429);
    expect(reply.headers['retry-after']).toBe('1');
  });
});

test('with limits switched off nothing gets 429, but every excess is still counted', async () => {
  const clock = manualMonotonic();
  await withEmulator({ monotonicNow: clock.read, limits: { enabled: false, maxRequestsPerSecond: 3, maxRecordsPerSecond: 10 } }, async (emulator) => {
    for (let i = 0; i < 5; i += 1) expect(codeOf(await write(emulator, items(3, `r${i}-`)))).toBe(0);
    expect(emulator.stats().totals.rateLimited).toBe(0);
    expect(emulator.stats().windows).toEqual({
      maxRequestsInWindow: 5,
      maxRecordsInWindow: 15,
      maxAdmittedRequestsInWindow: 5,
      maxAdmittedRecordsInWindow: 15,
      requestsOverCeiling: 2,
      recordsOverCeiling: 2,
    });
  });
});

test('Done counts as a request with no records', async () => {
  const clock = manualMonotonic();
  await withEmulator({ monotonicNow: clock.read, limits: { maxRequestsPerSecond: 2 } }, async (emulator) => {
    expect(codeOf(await write(emulator, items(5)))).toBe(0);
    expect(doneAnswer(await done(emulator, ['2022-01-01'])).code).toBe(0);
    expect(doneAnswer(await done(emulator, ['2022-01-02'])).code).toBe(429);
    expect(emulator.stats().windows).toMatchObject({ maxRequestsInWindow: 3, maxRecordsInWindow: 5, maxAdmittedRequestsInWindow: 2 });
  });
});

test('windows are per application', async () => {
  const clock = manualMonotonic();
  const other = { tenantId: '3000001', applicationId: '87654321', token: 'other-token' };
  await withEmulator({ monotonicNow: clock.read, limits: { maxRequestsPerSecond: 1 }, tenants: [TENANT, other] }, async (emulator) => {
    expect(codeOf(await write(emulator, items(1)))).toBe(0);
    expect(codeOf(await write(emulator, items(2), { auth: 'air', tenantId: other.tenantId, applicationId: other.applicationId, token: other.token }))).toBe(0);
    const { windowsByApplication, windows } = emulator.stats();
    expect(Object.keys(windowsByApplication).sort()).toEqual([TENANT.applicationId, other.applicationId].sort());
    expect(windowsByApplication[other.applicationId]).toMatchObject({ maxRequestsInWindow: 1, maxRecordsInWindow: 2 });
    // The overall figures are the largest per-application ones, not a sum.
    expect(windows).toMatchObject({ maxRequestsInWindow: 1, maxRecordsInWindow: 2 });
  });
});

test("a storm answers 429 with the storm's Retry-After until it ends", async () => {
  const clock = manualMonotonic();
  await withEmulator({ monotonicNow: clock.read }, async (emulator) => {
    const storm = emulator.startStorm(0.2);
    const reply = await write(emulator, items(1));
    expect(codeOf(reply)).toBe(429);
    expect(reply.headers['retry-after']).toBe('1');
    await storm.ended;
    expect(codeOf(await write(emulator, items(1)))).toBe(0);
    expect(emulator.stats().totals).toMatchObject({ rateLimited: 1, stormRejected: 1, writeRequests: 1 });
    // Storm-refused requests still show in the observed window.
    expect(emulator.stats().windows.maxRequestsInWindow).toBe(2);
  });
});
