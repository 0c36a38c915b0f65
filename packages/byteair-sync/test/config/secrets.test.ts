import { inspect } from 'node:util';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig, type Env } from '../../src/config/load-config.js';
import { Secret } from '../../src/config/secret.js';
import { SETTINGS } from '../../src/config/settings.js';
import { makeTempDir } from '../../../../test/support/temp-files.js';

/** Every secret below contains this marker, so one search finds any of them, even in part. */
const MARK = 'SECRET';
const SECRETS: Env = {
  BYTEAIR_SK: `sk-${MARK}-volc`,
  BYTEAIR_TOKEN: `tok-${MARK}-air`,
  BYTEAIR_DASHBOARD_PASSWORD: `pw-${MARK}-dash`,
  BYTEAIR_INGEST_TOKEN: `in-${MARK}-ingest`,
};
const BASE: Env = { BYTEAIR_AK: 'ak', BYTEAIR_DASHBOARD_USER: 'ops', ...SECRETS };

const temp = makeTempDir('secrets');
afterAll(() => temp.remove());

/** Every way an error or a config could be printed: message, JSON, util.inspect, string. */
function renderings(value: unknown): string[] {
  const out = [JSON.stringify(value) ?? '', inspect(value, { depth: Infinity, showHidden: true }), String(value)];
  if (value instanceof Error) out.push(value.message, value.stack ?? '');
  if (value instanceof ConfigError) out.push(JSON.stringify(value.details));
  return out;
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

test('the secret settings are the ones marked secret in SETTINGS', () => {
  const marked = Object.values(SETTINGS)
    .filter((s) => s.secret)
    .map((s) => s.key)
    .sort();
  expect(marked).toEqual(Object.keys(SECRETS).sort());
});

test('a loaded config never prints a secret: JSON, util.inspect, template strings', () => {
  const config = loadConfig(BASE);
  for (const text of renderings(config)) expect(text).not.toContain(MARK);
  const auth = config.api.auth;
  if (auth?.kind !== 'volc') throw new Error('expected volc auth');
  expect(`${String(auth.sk)} ${JSON.stringify({ sk: auth.sk })} ${inspect(auth.sk)}`).not.toContain(MARK);
  // Control: the values are there, just not printable by accident.
  expect(auth.sk.reveal()).toBe(SECRETS.BYTEAIR_SK);
  expect(config.dashboard.password).toBeInstanceOf(Secret);
});

describe('no error message carries a secret', () => {
  const invalidJson = `{"BYTEAIR_SK": ${SECRETS.BYTEAIR_SK ?? ''}}`;

  test("control: V8's own JSON.parse message would have quoted the secret", () => {
    const error = thrownBy(() => JSON.parse(invalidJson));
    expect((error as Error).message).toContain(MARK);
  });

  const cases: Array<[label: string, make: () => unknown]> = [
    ['a mistyped secret variable (unknown key)', () => loadConfig({ ...BASE, BYTEAIR_SK_: `typo-${MARK}` })],
    [
      'a mistyped secret key in the config file',
      () => loadConfig({ ...BASE, BYTEAIR_CONFIG_FILE: temp.write('typo.json', JSON.stringify({ BYTEAIR_TOKNE: `typo-${MARK}` })) }),
    ],
    ['a config file whose JSON breaks inside a secret', () => loadConfig({ ...BASE, BYTEAIR_CONFIG_FILE: temp.write('broken.json', invalidJson) })],
    [
      'a secret of the wrong type in the config file',
      () => loadConfig({ ...BASE, BYTEAIR_CONFIG_FILE: temp.write('typed.json', JSON.stringify({ BYTEAIR_TOKEN: { value: `nested-${MARK}` } })) }),
    ],
    ['a mistyped override key', () => loadConfig(BASE, { BYTEAIR_SKK: `override-${MARK}` })],
    ['a REDIS_URL with a password that fails validation', () => loadConfig({ ...BASE, REDIS_URL: `http://user:redispw-${MARK}@127.0.0.1:6379` })],
    ['a blank secret', () => loadConfig({ ...BASE, BYTEAIR_SK: '   ' })],
    ['a cross-field rule while secrets are set', () => loadConfig({ ...BASE, BYTEAIR_BACKOFF_BASE_MS: '9000', BYTEAIR_BACKOFF_MAX_MS: '10' })],
    ['air auth chosen without a token while the SK is set', () => loadConfig({ ...BASE, BYTEAIR_AUTH: 'air', BYTEAIR_TOKEN: undefined })],
    ['dashboard password without user', () => loadConfig({ ...BASE, BYTEAIR_DASHBOARD_USER: undefined })],
  ];
  test.each(cases)('%s', (_label, make) => {
    const error = thrownBy(make);
    expect(error).toBeInstanceOf(ConfigError);
    for (const text of renderings(error)) expect(text).not.toContain(MARK);
  });

  test('a REDIS_URL error still shows the URL, with the password masked', () => {
    const error = thrownBy(() => loadConfig({ REDIS_URL: 'http://user:hunter2@127.0.0.1:6379' })) as ConfigError;
    expect(error.message).toContain('"http://user:[redacted]@127.0.0.1:6379"');
  });
});
