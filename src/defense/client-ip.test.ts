import { describe, expect, it } from 'vitest';
import { addressKey, trustedProxies } from './client-ip.ts';

describe('client addresses', () => {
  it('aggregates IPv6 per /64 and unwraps IPv4-mapped addresses', () => {
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
  });

  it('trusts only the configured proxies', () => {
    const trusted = trustedProxies(['10.0.0.0/8', '192.0.2.1', 'fd00::/8']);
    expect(trusted('10.20.30.40')).toBe(true);
    expect(trusted('::ffff:10.20.30.40')).toBe(true);
    expect(trusted('192.0.2.1')).toBe(true);
    expect(trusted('192.0.2.2')).toBe(false);
    expect(trusted('fd12::1')).toBe(true);
    expect(trusted('127.0.0.1')).toBe(false);
    expect(trustedProxies([])('127.0.0.1')).toBe(false);
  });
});
