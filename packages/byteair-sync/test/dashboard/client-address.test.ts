import { clientAddressOf, trustedProxyList, UNKNOWN_CLIENT } from '../../dashboards/client-address.js';

const none = trustedProxyList([]);
const proxies = trustedProxyList(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);

describe('clientAddressOf', () => {
  test('without trusted proxies X-Forwarded-For is ignored: the socket peer is the client', () => {
    expect(clientAddressOf('203.0.113.9', '198.51.100.1', none)).toBe('203.0.113.9');
    expect(clientAddressOf('127.0.0.1', '198.51.100.1', none)).toBe('127.0.0.1');
  });

  test('from a peer that is not a trusted proxy the header is ignored, even when proxies are configured', () => {
    expect(clientAddressOf('203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
  });

  test('from a trusted proxy the rightmost untrusted address is the client; what the client wrote left of it does not count', () => {
    expect(clientAddressOf('127.0.0.1', '198.51.100.1', proxies)).toBe('198.51.100.1');
    // The client sent "X-Forwarded-For: 1.1.1.1" itself; the proxy appended the real peer.
    expect(clientAddressOf('127.0.0.1', '1.1.1.1, 198.51.100.1', proxies)).toBe('198.51.100.1');
    // Two proxies in a chain: both are skipped.
    expect(clientAddressOf('10.0.0.2', '1.1.1.1,198.51.100.1, 10.0.0.3', proxies)).toBe('198.51.100.1');
  });

  test('when every element is a trusted proxy the leftmost is taken', () => {
    expect(clientAddressOf('127.0.0.1', '10.0.0.4, 10.0.0.3', proxies)).toBe('10.0.0.4');
  });

  test('no header, or an empty one, from a trusted proxy: the proxy is the client', () => {
    expect(clientAddressOf('127.0.0.1', undefined, proxies)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', '', proxies)).toBe('127.0.0.1');
  });

  test('IPv6, IPv4-mapped IPv6 peers, ports and brackets', () => {
    expect(clientAddressOf('fd00::1', '2001:db8::7', proxies)).toBe('2001:db8::7');
    expect(clientAddressOf('::ffff:127.0.0.1', '198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddressOf('127.0.0.1', '198.51.100.1:4711', proxies)).toBe('198.51.100.1');
    expect(clientAddressOf('127.0.0.1', '[2001:db8::7]:443', proxies)).toBe('2001:db8::7');
  });

  test('an element that is no address stops the walk at the last hop that could be believed', () => {
    expect(clientAddressOf('127.0.0.1', 'not-an-ip', proxies)).toBe('127.0.0.1');
    expect(clientAddressOf('127.0.0.1', '198.51.100.1, garbage, 10.0.0.3', proxies)).toBe('10.0.0.3');
    // Left of the first untrusted address anything goes: it is never read.
    expect(clientAddressOf('127.0.0.1', 'garbage, 198.51.100.1', proxies)).toBe('198.51.100.1');
  });

  test('a socket that no longer knows its peer counts as one shared unknown client', () => {
    expect(clientAddressOf(undefined, '198.51.100.1', proxies)).toBe(UNKNOWN_CLIENT);
  });
});
