import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig, requireApiSettings, type Env } from '../../src/config/load-config.js';
import { makeTempDir } from '../../../../test/support/temp-files.js';

const temp = makeTempDir('config');
afterAll(() => temp.remove());

/** The ConfigError `fn` throws; fails the test when it throws nothing or something else. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

let files = 0;
function configFile(content: unknown): string {
  files += 1;
  return temp.write(`config-${files}.json`, typeof content === 'string' ? content : JSON.stringify(content));
}

describe('defaults', () => {
  test('an empty environment gives the documented defaults and no API credentials', () => {
    const config = loadConfig({});
    expect(JSON.parse(JSON.stringify(config))).toEqual({
      redis: { url: 'redis://127.0.0.1:6379', clusterNodes: [], prefix: 'byteair' },
      api: { hosts: ['api.byteair.volces.com'], scheme: 'https', credentials: {}, timeoutMs: 5_000, timeoutCapMs: 60_000 },
      limits: {
        maxRequestsPerSecond: 100,
        maxRecordsPerSecond: 50_000,
        maxRecordsPerRequest: 10_000,
        maxRequestBytes: 16 * 1024 * 1024,
        marginMs: 30,
        marginCapMs: 250,
      },
      dateZone: 'Asia/Shanghai',
      topics: ['item', 'user', 'behavior'].map((name) => ({ name, mode: 'daily-then-streaming', stageOrder: true, dailyDoneBy: { hour: 6, minute: 0 } })),
      worker: {
        concurrency: 8,
        attempts: 20,
        backoffBaseMs: 1_000,
        backoffMaxMs: 60_000,
        lockDurationMs: 30_000,
        maxStalledCount: 5,
        shutdownTimeoutMs: 15_000,
        keepCompletedSeconds: 604_800,
      },
      streaming: { batchSize: 1_000, maxWaitMs: 1_000, intakeCap: 5_000_000 },
      circuit: { threshold: 5, cooldownMs: 1_000, maxCooldownMs: 5_000 },
      dashboard: { host: '127.0.0.1', port: 3_000, readOnly: false, trustedProxies: [] },
      ingest: { host: '127.0.0.1', port: 3_100, maxBodyBytes: 32 * 1024 * 1024, maxInflightBytes: 128 * 1024 * 1024 },
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, maxConnections: 1_000 },
      logLevel: 'info',
    });
    expect(config.api.auth).toBeUndefined();
    expect(config.api.tenantId).toBeUndefined();
    expect(config.dashboard.user).toBeUndefined();
    expect(config.ingest.token).toBeUndefined();
  });

  test('variables outside our prefix are ignored', () => {
    expect(() => loadConfig({ PATH: '/usr/bin', HOME: '/root', REDIS_HOST: 'elsewhere', NODE_ENV: 'test' })).not.toThrow();
  });

  test('values are trimmed, underscores allowed in numbers, booleans in several spellings', () => {
    const config = loadConfig({
      BYTEAIR_CONCURRENCY: ' 16 ',
      BYTEAIR_STREAM_INTAKE_CAP: '1_000_000',
      BYTEAIR_DASHBOARD_READ_ONLY: 'YES',
      BYTEAIR_HOSTS: ' a.example:8443 , b.example ',
    });
    expect(config.worker.concurrency).toBe(16);
    expect(config.streaming.intakeCap).toBe(1_000_000);
    expect(config.dashboard.readOnly).toBe(true);
    expect(config.api.hosts).toEqual(['a.example:8443', 'b.example']);
  });

  test('BYTEAIR_DASHBOARD_TRUSTED_PROXIES takes IPs and CIDRs, v4 and v6', () => {
    const config = loadConfig({ BYTEAIR_DASHBOARD_TRUSTED_PROXIES: ' 10.0.0.5 , 172.16.0.0/12,::1, fd00::/8 ' });
    expect(config.dashboard.trustedProxies).toEqual(['10.0.0.5', '172.16.0.0/12', '::1', 'fd00::/8']);
  });
});

describe('the result is deeply frozen', () => {
  test('no level of the config can be changed', () => {
    const config = loadConfig({ BYTEAIR_AK: 'ak', BYTEAIR_SK: 'sk' });
    for (const part of [config, config.api, config.api.hosts, config.api.auth, config.topics, config.topics[0], config.limits, config.redis.clusterNodes]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (config.limits as { maxRecordsPerRequest: number }).maxRecordsPerRequest = 1;
    }).toThrow(TypeError);
    expect(() => (config.api.hosts as string[]).push('evil.example')).toThrow(TypeError);
  });
});

describe('every parser names the key and the value it refused', () => {
  const cases: Array<[key: string, value: string, reason: string]> = [
    ['BYTEAIR_CONCURRENCY', 'many', 'whole number between 1 and 1000'],
    ['BYTEAIR_CONCURRENCY', '0', 'whole number between 1 and 1000'],
    ['BYTEAIR_ATTEMPTS', '2.5', 'whole number'],
    ['BYTEAIR_DASHBOARD_PORT', '70000', 'whole number between 0 and 65535'],
    ['BYTEAIR_SCHEME', 'ftp', 'must be one of https, http'],
    ['BYTEAIR_AUTH', 'oauth', 'must be one of volc, air'],
    ['BYTEAIR_LOG_LEVEL', 'loud', 'must be one of fatal, error'],
    ['BYTEAIR_DASHBOARD_READ_ONLY', 'maybe', 'must be true or false'],
    ['BYTEAIR_HOSTS', ' , ', 'must list at least one value'],
    ['BYTEAIR_HOSTS', 'https://api.example', 'host or host:port, without scheme or path'],
    ['BYTEAIR_HOSTS', 'api.example:0', 'port must be 1-65535'],
    ['REDIS_CLUSTER_NODES', 'a:1:2', 'host or host:port'],
    ['BYTEAIR_AK', '   ', 'must not be empty'],
    ['BYTEAIR_DASHBOARD_HOST', '', 'must not be empty'],
    ['BYTEAIR_TENANT_ID', 'tenant-7', 'numeric id'],
    ['BYTEAIR_APPLICATION_ID', '12ab', 'numeric id'],
    ['REDIS_URL', 'not a url', 'must be a URL like redis://'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'must start with redis:// or rediss://'],
    ['BYTEAIR_DATE_ZONE', 'Mars/Olympus', 'IANA time zone'],
    ['BYTEAIR_REDIS_PREFIX', 'a{b}', '1-64 characters'],
    ['BYTEAIR_TOPICS', 'item,Users', 'topic "Users" must be lowercase'],
    ['BYTEAIR_STREAMING_ONLY_TOPICS', 'bad topic', 'must be lowercase'],
    ['BYTEAIR_DASHBOARD_TRUSTED_PROXIES', '10.0.0.1, proxy.internal', '"proxy.internal" is not an IP address or CIDR block'],
    ['BYTEAIR_DASHBOARD_TRUSTED_PROXIES', '10.0.0.0/33', '"10.0.0.0/33" is not an IP address or CIDR block'],
    ['BYTEAIR_DASHBOARD_TRUSTED_PROXIES', 'fd00::/129', '"fd00::/129" is not an IP address or CIDR block'],
    ['BYTEAIR_DASHBOARD_TRUSTED_PROXIES', '10.0.0.0/', '"10.0.0.0/" is not an IP address or CIDR block'],
    ['BYTEAIR_DASHBOARD_TRUSTED_PROXIES', '010.0.0.1', '"010.0.0.1" is not an IP address'],
    ['BYTEAIR_DASHBOARD_TRUSTED_PROXIES', 'fe80::1%eth0', '"fe80::1%eth0" is not an IP address'],
  ];
  test.each(cases)('%s=%j', (key, value, reason) => {
    const error = configErrorOf(() => loadConfig({ [key]: value }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.key).toBe(key);
    expect(error.message).toContain(`${key}=${JSON.stringify(value)}`);
    expect(error.message).toContain(reason);
    expect(error.details).toEqual({ key, value: JSON.stringify(value), source: 'environment' });
  });

  test('a bad value from the config file names the file as its source', () => {
    const path = configFile({ BYTEAIR_CONCURRENCY: 'lots' });
    const error = configErrorOf(() => loadConfig({ BYTEAIR_CONFIG_FILE: path }));
    expect(error.key).toBe('BYTEAIR_CONCURRENCY');
    expect(error.details.source).toBe(`file ${path}`);
  });

  test('a bad override names the command line as its source', () => {
    const error = configErrorOf(() => loadConfig({}, { BYTEAIR_CONCURRENCY: '-1' }));
    expect(error.details.source).toBe('command line');
  });
});

describe('unknown keys are refused, never ignored', () => {
  test('an unknown BYTEAIR_* environment variable', () => {
    const error = configErrorOf(() => loadConfig({ BYTEAIR_TOPIX: 'item' }));
    expect(error.key).toBe('BYTEAIR_TOPIX');
    expect(error.message).toMatch(/unknown setting/);
    // The list of known keys helps spot the typo.
    expect(error.message).toContain('BYTEAIR_TOPICS');
  });

  test('an unknown key in the config file', () => {
    const path = configFile({ BYTEAIR_TOPICS: 'item', BYTEAIR_CONCURENCY: 4 });
    const error = configErrorOf(() => loadConfig({ BYTEAIR_CONFIG_FILE: path }));
    expect(error.key).toBe('BYTEAIR_CONCURENCY');
    expect(error.message).toContain('unknown setting in config file');
    expect(error.details.source).toBe(`file ${path}`);
  });

  test('the config file cannot name another config file', () => {
    const error = configErrorOf(() => loadConfig({ BYTEAIR_CONFIG_FILE: configFile({ BYTEAIR_CONFIG_FILE: '/etc/other.json' }) }));
    expect(error.key).toBe('BYTEAIR_CONFIG_FILE');
  });

  test('an unknown override key', () => {
    const error = configErrorOf(() => loadConfig({}, { BYTEAIR_CONCURENCY: '4' }));
    expect(error.key).toBe('BYTEAIR_CONCURENCY');
    expect(error.details.source).toBe('command line');
  });
});

describe('the config file', () => {
  test('a missing file', () => {
    const error = configErrorOf(() => loadConfig({ BYTEAIR_CONFIG_FILE: `${temp.path}/absent.json` }));
    expect(error.key).toBe('BYTEAIR_CONFIG_FILE');
    expect(error.message).toContain('absent.json');
    expect(error.message).toContain('cannot read the file');
  });

  test('invalid JSON: where it broke, by line and column', () => {
    const path = configFile('{\n  "BYTEAIR_TOPICS": "item"\n  "BYTEAIR_CONCURRENCY": 4\n}');
    const error = configErrorOf(() => loadConfig({ BYTEAIR_CONFIG_FILE: path }));
    expect(error.key).toBe('BYTEAIR_CONFIG_FILE');
    expect(error.message).toContain('is not valid JSON');
    expect(error.message).toContain('line 3 column 3');
  });

  test.each([
    ['an array', '["BYTEAIR_TOPICS"]'],
    ['a string', '"BYTEAIR_TOPICS=item"'],
    ['null', 'null'],
    ['a number', '42'],
  ])('a file holding %s instead of an object', (_label, content) => {
    const error = configErrorOf(() => loadConfig({ BYTEAIR_CONFIG_FILE: configFile(content) }));
    expect(error.key).toBe('BYTEAIR_CONFIG_FILE');
    expect(error.message).toContain('must contain a JSON object of settings');
  });

  test('a value that is neither string, number, boolean nor list of strings', () => {
    const error = configErrorOf(() => loadConfig({ BYTEAIR_CONFIG_FILE: configFile({ BYTEAIR_HOSTS: { primary: 'a.example' } }) }));
    expect(error.key).toBe('BYTEAIR_HOSTS');
    expect(error.message).toContain('must be a string, number, boolean or list of strings');
  });

  test('numbers, booleans and lists of strings are read as their text', () => {
    const config = loadConfig({
      BYTEAIR_CONFIG_FILE: configFile({ BYTEAIR_CONCURRENCY: 3, BYTEAIR_DASHBOARD_READ_ONLY: true, BYTEAIR_TOPICS: ['item', 'user'] }),
    });
    expect(config.worker.concurrency).toBe(3);
    expect(config.dashboard.readOnly).toBe(true);
    expect(config.topics.map((t) => t.name)).toEqual(['item', 'user']);
  });

  test('precedence: default < file < environment < override', () => {
    const path = configFile({ BYTEAIR_CONCURRENCY: 3, BYTEAIR_ATTEMPTS: 7, BYTEAIR_CIRCUIT_THRESHOLD: 9 });
    const env: Env = { BYTEAIR_CONFIG_FILE: path, BYTEAIR_ATTEMPTS: '11', BYTEAIR_CIRCUIT_THRESHOLD: '12' };
    const config = loadConfig(env, { BYTEAIR_CIRCUIT_THRESHOLD: '13' });
    expect(config.worker.concurrency).toBe(3); // file over default
    expect(config.worker.attempts).toBe(11); // environment over file
    expect(config.circuit.threshold).toBe(13); // override over environment
    expect(config.worker.maxStalledCount).toBe(5); // default
  });

  test('an empty BYTEAIR_CONFIG_FILE means no file', () => {
    expect(loadConfig({ BYTEAIR_CONFIG_FILE: '' }).worker.concurrency).toBe(8);
  });

  test('the API call timeout cap follows a floor set above its default', () => {
    expect(loadConfig({ BYTEAIR_REQUEST_TIMEOUT_MS: '90000' }).api).toMatchObject({ timeoutMs: 90_000, timeoutCapMs: 90_000 });
    expect(loadConfig({ BYTEAIR_REQUEST_TIMEOUT_CAP_MS: '5000' }).api).toMatchObject({ timeoutMs: 5_000, timeoutCapMs: 5_000 });
  });
});

describe('rules across settings', () => {
  const cases: Array<[label: string, env: Env, key: string, reason: string]> = [
    [
      'backoff max below base',
      { BYTEAIR_BACKOFF_BASE_MS: '5000', BYTEAIR_BACKOFF_MAX_MS: '1000' },
      'BYTEAIR_BACKOFF_MAX_MS',
      'must be at least BYTEAIR_BACKOFF_BASE_MS (5000)',
    ],
    [
      'circuit max cooldown below cooldown',
      { BYTEAIR_CIRCUIT_COOLDOWN_MS: '5000', BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS: '1000' },
      'BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS',
      'must be at least BYTEAIR_CIRCUIT_COOLDOWN_MS (5000)',
    ],
    [
      'in-flight body bytes below one body',
      { BYTEAIR_INGEST_MAX_BODY_BYTES: '2048', BYTEAIR_INGEST_MAX_INFLIGHT_BYTES: '1024' },
      'BYTEAIR_INGEST_MAX_INFLIGHT_BYTES',
      'must be at least BYTEAIR_INGEST_MAX_BODY_BYTES (2048)',
    ],
    [
      'request timeout below headers timeout',
      { BYTEAIR_HTTP_HEADERS_TIMEOUT_MS: '20000', BYTEAIR_HTTP_REQUEST_TIMEOUT_MS: '10000' },
      'BYTEAIR_HTTP_REQUEST_TIMEOUT_MS',
      'must be at least BYTEAIR_HTTP_HEADERS_TIMEOUT_MS (20000)',
    ],
    [
      'API call timeout cap below its floor',
      { BYTEAIR_REQUEST_TIMEOUT_MS: '8000', BYTEAIR_REQUEST_TIMEOUT_CAP_MS: '4000' },
      'BYTEAIR_REQUEST_TIMEOUT_CAP_MS',
      'must be at least BYTEAIR_REQUEST_TIMEOUT_MS (8000)',
    ],
    [
      'records per request above records per second',
      { BYTEAIR_MAX_RECORDS_PER_SECOND: '5000' },
      'BYTEAIR_MAX_RECORDS_PER_REQUEST',
      'must not exceed BYTEAIR_MAX_RECORDS_PER_SECOND (5000)',
    ],
    [
      'stream batch above records per request',
      { BYTEAIR_MAX_RECORDS_PER_REQUEST: '500' },
      'BYTEAIR_STREAM_BATCH_SIZE',
      'must not exceed BYTEAIR_MAX_RECORDS_PER_REQUEST (500)',
    ],
    ['dashboard user without password', { BYTEAIR_DASHBOARD_USER: 'ops' }, 'BYTEAIR_DASHBOARD_PASSWORD', 'set together or not at all'],
    ['dashboard password without user', { BYTEAIR_DASHBOARD_PASSWORD: 'pw' }, 'BYTEAIR_DASHBOARD_USER', 'set together or not at all'],
    ['volc auth without SK', { BYTEAIR_AK: 'ak' }, 'BYTEAIR_SK', 'volc auth needs both BYTEAIR_AK and BYTEAIR_SK'],
    ['volc auth without AK', { BYTEAIR_SK: 'sk' }, 'BYTEAIR_AK', 'volc auth needs both'],
    ['volc chosen explicitly without keys', { BYTEAIR_AUTH: 'volc', BYTEAIR_TOKEN: 'tok' }, 'BYTEAIR_AK', 'volc auth needs both'],
    ['air auth without token', { BYTEAIR_AUTH: 'air', BYTEAIR_AK: 'ak', BYTEAIR_SK: 'sk' }, 'BYTEAIR_TOKEN', 'air auth needs BYTEAIR_TOKEN'],
    [
      'a streaming-only topic that is not a topic',
      { BYTEAIR_TOPICS: 'item,user', BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior' },
      'BYTEAIR_STREAMING_ONLY_TOPICS',
      'topic "behavior" is not in BYTEAIR_TOPICS (item,user)',
    ],
    [
      'an unordered topic that is not a topic',
      { BYTEAIR_TOPICS: 'item', BYTEAIR_UNORDERED_TOPICS: 'item,user' },
      'BYTEAIR_UNORDERED_TOPICS',
      'topic "user" is not in BYTEAIR_TOPICS',
    ],
    ['a topic listed twice', { BYTEAIR_TOPICS: 'item,user,item' }, 'BYTEAIR_TOPICS', 'lists a topic twice'],
  ];
  test.each(cases)('%s', (_label, env, key, reason) => {
    const error = configErrorOf(() => loadConfig(env));
    expect(error.key).toBe(key);
    expect(error.message).toContain(reason);
  });

  test('the limits may be equal (the boundaries are allowed)', () => {
    const config = loadConfig({
      BYTEAIR_BACKOFF_BASE_MS: '1000',
      BYTEAIR_BACKOFF_MAX_MS: '1000',
      BYTEAIR_CIRCUIT_COOLDOWN_MS: '500',
      BYTEAIR_CIRCUIT_MAX_COOLDOWN_MS: '500',
      BYTEAIR_MAX_RECORDS_PER_SECOND: '1000',
      BYTEAIR_MAX_RECORDS_PER_REQUEST: '1000',
      BYTEAIR_STREAM_BATCH_SIZE: '1000',
    });
    expect(config.limits.maxRecordsPerRequest).toBe(1_000);
  });

  test('topic modes and stage ordering follow the topic lists', () => {
    const config = loadConfig({ BYTEAIR_TOPICS: 'item,user,behavior', BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior', BYTEAIR_UNORDERED_TOPICS: 'user' });
    expect(config.topics).toEqual([
      { name: 'item', mode: 'daily-then-streaming', stageOrder: true, dailyDoneBy: { hour: 6, minute: 0 } },
      { name: 'user', mode: 'daily-then-streaming', stageOrder: false, dailyDoneBy: { hour: 6, minute: 0 } },
      // A streaming-only topic owes no daily data, so no daily Done is ever due.
      { name: 'behavior', mode: 'streaming-only', stageOrder: true, dailyDoneBy: null },
    ]);
  });

  test.each<[string, string, Record<string, { hour: number; minute: number } | null>]>([
    ['one time for every daily topic', '08:30', { item: { hour: 8, minute: 30 }, user: { hour: 8, minute: 30 }, behavior: { hour: 8, minute: 30 } }],
    ['exceptions only: the others keep 06:00', 'user=09:15', { item: { hour: 6, minute: 0 }, user: { hour: 9, minute: 15 }, behavior: { hour: 6, minute: 0 } }],
    ['a time and exceptions, off for one', '07:00,item=05:00,behavior=off', { item: { hour: 5, minute: 0 }, user: { hour: 7, minute: 0 }, behavior: null }],
    ['off for all, one tracked', 'OFF,item=06:00', { item: { hour: 6, minute: 0 }, user: null, behavior: null }],
  ])('BYTEAIR_DAILY_DONE_BY: %s', (_label, value, expected) => {
    const config = loadConfig({ BYTEAIR_DAILY_DONE_BY: value });
    expect(Object.fromEntries(config.topics.map((t) => [t.name, t.dailyDoneBy]))).toEqual(expected);
  });

  test.each<[string, Env, string]>([
    ['a bad time', { BYTEAIR_DAILY_DONE_BY: '25:00' }, '"25:00" is not a time of day HH:MM'],
    ['two times for all', { BYTEAIR_DAILY_DONE_BY: '06:00,07:00' }, 'has two times for every topic ("07:00")'],
    ['a topic twice', { BYTEAIR_DAILY_DONE_BY: 'item=06:00,item=07:00' }, 'names topic "item" twice'],
    ['an unknown topic', { BYTEAIR_DAILY_DONE_BY: 'items=06:00' }, 'topic "items" is not in BYTEAIR_TOPICS (item,user,behavior)'],
    [
      'a deadline for a streaming-only topic',
      { BYTEAIR_STREAMING_ONLY_TOPICS: 'behavior', BYTEAIR_DAILY_DONE_BY: 'behavior=06:00' },
      'topic "behavior" is streaming-only',
    ],
    ['nothing', { BYTEAIR_DAILY_DONE_BY: ' , ' }, 'must be HH:MM, off, or a list'],
  ])('BYTEAIR_DAILY_DONE_BY refuses %s, naming the setting and the value', (_label, env, reason) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow('BYTEAIR_DAILY_DONE_BY');
    expect(() => loadConfig(env)).toThrow(reason);
  });
});

describe('auth scheme', () => {
  test.each<[string, Env, 'volc' | 'air']>([
    ['AK and SK mean volc', { BYTEAIR_AK: 'ak', BYTEAIR_SK: 'sk' }, 'volc'],
    ['a token alone means air', { BYTEAIR_TOKEN: 'tok' }, 'air'],
    ['keys and a token without BYTEAIR_AUTH: volc', { BYTEAIR_AK: 'ak', BYTEAIR_SK: 'sk', BYTEAIR_TOKEN: 'tok' }, 'volc'],
    ['BYTEAIR_AUTH=air wins over keys', { BYTEAIR_AUTH: 'air', BYTEAIR_AK: 'ak', BYTEAIR_SK: 'sk', BYTEAIR_TOKEN: 'tok' }, 'air'],
  ])('%s', (_label, env, kind) => {
    expect(loadConfig(env).api.auth?.kind).toBe(kind);
  });

  test('the secrets are wrapped and revealed only on request', () => {
    const auth = loadConfig({ BYTEAIR_AK: 'ak', BYTEAIR_SK: 'the-sk' }).api.auth;
    if (auth?.kind !== 'volc') throw new Error('expected volc auth');
    expect(auth.ak).toBe('ak');
    expect(auth.sk.reveal()).toBe('the-sk');
  });
});

describe('requireApiSettings', () => {
  const complete: Env = { BYTEAIR_TENANT_ID: '2100021', BYTEAIR_APPLICATION_ID: '12345678', BYTEAIR_TOKEN: 'tok' };

  test('returns tenant, application and auth when all are set', () => {
    const settings = requireApiSettings(loadConfig(complete));
    expect(settings).toEqual(expect.objectContaining({ tenantId: '2100021', applicationId: '12345678' }));
    expect(settings.auth.kind).toBe('air');
  });

  test.each([
    ['BYTEAIR_TENANT_ID', { ...complete, BYTEAIR_TENANT_ID: undefined }],
    ['BYTEAIR_APPLICATION_ID', { ...complete, BYTEAIR_APPLICATION_ID: undefined }],
    ['BYTEAIR_AK', { ...complete, BYTEAIR_TOKEN: undefined }],
  ])('refuses when %s is missing', (key, env) => {
    const error = configErrorOf(() => requireApiSettings(loadConfig(env)));
    expect(error.key).toBe(key);
    expect(error.message).toMatch(/ByteAir API/);
  });
});
