import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockKey, coversLoopback } from './address-blocks.ts';
import { addressKey } from './client-ip.ts';

const octet = fc.integer({ min: 0, max: 255 });
const loopbackV4 = fc.tuple(octet, octet, octet).map(([b, c, d]) => `127.${b}.${c}.${d}`);
/** Public IPv4 addresses: first octet neither 127 nor 0. */
const otherV4 = fc
  .tuple(
    fc.integer({ min: 1, max: 223 }).filter((a) => a !== 127),
    octet,
    octet,
    octet,
  )
  .map((parts) => parts.join('.'));

describe('the lockout rule', () => {
  it('sees loopback in every spelling: 127/8, IPv4-mapped, ::1', () => {
    fc.assert(
      fc.property(loopbackV4, fc.boolean(), (address, mapped) => {
        expect(coversLoopback(blockKey(mapped ? `::ffff:${address}` : address))).toBe(true);
      }),
    );
    for (const ip of ['::1', '0:0:0:0:0:0:0:1', '::', '0:0:0:0::/64', '::ffff:7f00:1'])
      expect(coversLoopback(blockKey(ip)), ip).toBe(true);
  });

  it('sees no loopback in other addresses, plain or mapped', () => {
    fc.assert(
      fc.property(otherV4, fc.boolean(), (address, mapped) => {
        const key = blockKey(mapped ? `::ffff:${address}` : address);
        expect(key).toBe(address);
        expect(coversLoopback(key)).toBe(false);
      }),
    );
    for (const ip of ['2001:db8::1', '2001:db8:1:2::/64', 'fe80::1'])
      expect(coversLoopback(blockKey(ip)), ip).toBe(false);
  });

  it('keys a /64 prefix as a request from it is keyed, however it is spelt', () => {
    // Regression: a prefix was kept as written, so `::/64` slipped past the lockout rule and
    // `2001:0db8::/64` blocked nothing.
    expect(coversLoopback(blockKey('::/64'))).toBe(true);
    for (const [prefix, address] of [
      ['::/64', '::1'],
      ['2001:0db8::/64', '2001:db8::1'],
      ['2001:DB8:0:0::/64', '2001:db8::abcd'],
      ['2001:db8:0:0:1:2:3:4/64', '2001:db8::9'],
    ] as const)
      expect(blockKey(prefix), prefix).toBe(addressKey(address));
  });

  it('refuses what is not an address', () => {
    for (const ip of ['localhost', '127.0.0.1.5', 'x::y', '', '10.0.0.1/64', '/64'])
      expect(() => blockKey(ip), ip).toThrow(/IPv4 or IPv6/);
  });
});
