import { BlockList, isIP, isIPv4 } from 'node:net';

/** Stands in for a socket whose address Node no longer knows (it closed under us). */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * The proxies whose X-Forwarded-For is believed, from BYTEAIR_DASHBOARD_TRUSTED_PROXIES
 * entries (IPs or CIDRs, v4 or v6, already validated by the config parser). An IPv4 entry
 * also matches its IPv4-mapped IPv6 form (`::ffff:10.0.0.1`), which is how a dual-stack
 * socket reports an IPv4 peer.
 */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/**
 * One X-Forwarded-For element as a bare address: brackets and a port (some proxies write
 * `1.2.3.4:5678` or `[::1]:80`) are dropped; undefined when it is no IP address at all.
 */
function addressOf(element: string): string | undefined {
  const text = element.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed?.[1] !== undefined) return isIP(bracketed[1]) === 0 ? undefined : bracketed[1];
  if (isIP(text) !== 0) return text;
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  return withPort?.[1] !== undefined && isIPv4(withPort[1]) ? withPort[1] : undefined;
}

function isTrusted(address: string, trusted: BlockList): boolean {
  return trusted.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}

/**
 * The address the login throttle counts a request under. The socket's peer, unless that peer
 * is a trusted proxy: then X-Forwarded-For is walked from the right (each proxy appends the
 * address it was connected from), skipping trusted proxies, and the first untrusted address
 * is the client; everything left of it was written by that client and may be made up. When
 * every element is trusted the leftmost is taken. An element that is not an address stops the
 * walk at the last hop that could be believed, so garbage can never become a fresh key.
 *
 * With no trusted proxies the header is ignored: a client could otherwise name a new address
 * for every guess and never meet the per-address throttle.
 */
export function clientAddressOf(remote: string | undefined, forwardedFor: string | undefined, trusted: BlockList): string {
  if (remote === undefined) return UNKNOWN_CLIENT;
  let client = remote;
  if (forwardedFor === undefined || !isTrusted(remote, trusted)) return client;
  const elements = forwardedFor.split(',');
  for (let i = elements.length - 1; i >= 0; i -= 1) {
    const address = addressOf(elements[i] ?? '');
    if (address === undefined) return client;
    client = address;
    if (!isTrusted(address, trusted)) return client;
  }
  return client;
}
