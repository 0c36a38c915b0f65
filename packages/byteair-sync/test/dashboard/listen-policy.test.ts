import { ConfigError } from '../../src/config/config-error.js';
import { assertListenAllowed, hostnameOf, isLoopbackHost } from '../../dashboards/listen-policy.js';

test.each(['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', 'dash.localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
  expect(isLoopbackHost(host)).toBe(true);
});

test.each(['0.0.0.0', '::', '[::]', '10.0.0.1', '128.0.0.1', 'localhost.evil.example', 'evil.example', '::ffff:10.0.0.1', '127.0.0.1.nip.io', ''])(
  '%s is not loopback',
  (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  },
);

test('a non-loopback address needs a login, and the refusal names the setting and both credentials', () => {
  expect(() => assertListenAllowed('127.0.0.1', false)).not.toThrow();
  expect(() => assertListenAllowed('0.0.0.0', true)).not.toThrow();
  const refuse = (): void => assertListenAllowed('0.0.0.0', false);
  expect(refuse).toThrow(ConfigError);
  expect(refuse).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', key: 'BYTEAIR_DASHBOARD_HOST' }) as Error);
  expect(refuse).toThrow(/BYTEAIR_DASHBOARD_HOST="0\.0\.0\.0".*BYTEAIR_DASHBOARD_USER \/ BYTEAIR_DASHBOARD_PASSWORD/);
});

test('hostnameOf takes the name from a Host header, with or without a port, IPv6 in brackets', () => {
  expect(['127.0.0.1:3000', 'localhost', 'evil.example:80', '[::1]:3000', '[::1]', '[::1'].map(hostnameOf)).toEqual([
    '127.0.0.1',
    'localhost',
    'evil.example',
    '[::1]',
    '[::1]',
    '[::1',
  ]);
});
