// The attack simulator only ever aims at the machine it runs on: a target whose host is not a
// loopback address is refused before any packet is sent, and no name is ever looked up in DNS.

import { randomInt } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export type TargetCheck = { ok: true; base: string } | { ok: false; reason: string };

function isLoopbackIPv4(address: string): boolean {
  return isIPv4(address) && address.split('.')[0] === '127';
}

/**
 * The base URL to attack, or why not. `localhost` is taken literally as 127.0.0.1 (not resolved,
 * so a hosts file cannot redirect it); any other name is refused without a DNS query.
 */
export function checkTarget(text: string): TargetCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `target ${JSON.stringify(text)} is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `target ${url.href} must be http:// or https://` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'target must not carry credentials' };
  }
  // WHATWG URL parsing already normalises 127.1 or 2130706433 to 127.0.0.1 and lower-cases names.
  const host = url.hostname;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const port = url.port === '' ? '' : `:${url.port}`;
  if (bare === 'localhost') return { ok: true, base: `${url.protocol}//127.0.0.1${port}` };
  if (isLoopbackIPv4(bare)) return { ok: true, base: `${url.protocol}//${bare}${port}` };
  if (isIPv6(bare) && bare === '::1') return { ok: true, base: `${url.protocol}//[::1]${port}` };
  return {
    ok: false,
    reason: `refusing target ${url.host}: only loopback hosts (127.0.0.0/8, localhost, ::1) may be attacked`,
  };
}

/**
 * A random source address in 127.0.0.0/8 other than 127.0.0.1, for a target on IPv4 loopback, so
 * that each scenario is a separate client to the server (Linux routes all of 127/8 to `lo`), and
 * a block the simulator earns never locks out the operator's own 127.0.0.1.
 */
export function randomLoopbackSource(base: string): string | undefined {
  if (!isLoopbackIPv4(new URL(base).hostname)) return undefined;
  const octet = (): number => randomInt(0, 256);
  return `127.${randomInt(1, 255)}.${octet()}.${randomInt(2, 255)}`;
}
