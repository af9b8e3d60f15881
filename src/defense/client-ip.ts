// The client's address: the TCP peer, unless that peer is a trusted proxy (TRUSTED_PROXIES),
// in which case X-Forwarded-For is read from the right, skipping trusted hops. Limits and
// blocks key on the result, IPv6 aggregated per /64, so rotating the header or the low bits
// of an IPv6 address dodges nothing.

import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Fastify's `trustProxy` as a predicate over the hop's address. */
export function trustedProxies(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits] = cidr.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    const plain = unmapped(address);
    if (isIPv4(plain)) return list.check(plain, 'ipv4');
    if (isIPv6(plain)) return list.check(plain, 'ipv6');
    return false;
  };
}

/** `::ffff:1.2.3.4` is the IPv4 client 1.2.3.4. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** The key limits and blocks use for an address: IPv4 as is, IPv6 by its /64 prefix. */
export function addressKey(address: string): string {
  const plain = unmapped(address);
  if (!isIPv6(plain)) return plain;
  const [head = '', tail = ''] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = plain.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  const prefix = groups
    .slice(0, 4)
    .map((g) => (g === '' ? '0' : g.toLowerCase().replace(/^0+(?=.)/, '')));
  return `${prefix.join(':')}::/64`;
}
