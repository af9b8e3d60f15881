// Blocks that people place and lift: an administrator over HTTP, the operator over the local
// control socket. A block that would lock its requester out (their own address, or loopback,
// through which a one-host install is reached) is refused unless the request overrides that.
// Manual blocks are stored, so they outlive a restart of every node; every change is a security
// event, and so an audit leaf. Automatic blocks (failed logins, the IDS) live only in IpBlocks
// (memory, or the cluster's Redis): they are short, and an attacker must not be able to make the
// exchange write to its database at will.

import { isIP } from 'node:net';
import { ApiError } from '../errors.ts';
import type { IpBlocksRepo } from '../store/ip-blocks.repo.ts';
import { addressKey } from './client-ip.ts';
import type { Guard } from './guard.ts';
import type { Block, IpBlocks } from './ip-blocks.ts';
import type { SecurityEvents } from './security-events.ts';

/**
 * Who asks: a signed-in administrator from an address, or the operator at the host, through a
 * channel (`local socket`, or `database` when no exchange is running).
 */
export type BlockActor =
  | { kind: 'admin'; userId: number; address: string }
  | { kind: 'operator'; channel: 'local socket' | 'database' };

/** A block as the API, the control socket and the terminal show it. */
export interface BlockedAddress {
  ip: string;
  reason: string;
  manual: boolean;
  /** ISO 8601. */
  since: string;
  until: string;
}

export interface BlockRequest {
  ip: string;
  minutes: number;
  reason: string;
  /** Block even an address that locks the requester out. */
  override?: boolean | undefined;
}

const LOOPBACK_V6 = addressKey('::1');

/**
 * The key a block on `ip` (an address, or an IPv6 /64 prefix) is stored and checked under: the
 * one `addressKey` gives a request from it, whatever the spelling (`::/64`, `2001:0db8::/64`), so
 * the block matches its addresses and the lockout rule sees what it covers.
 */
export function blockKey(ip: string): string {
  const prefix = /^(.*)\/64$/.exec(ip)?.[1];
  const address = prefix === undefined ? ip : prefix.replace(/::$/, '::0');
  const valid = prefix === undefined ? isIP(address) !== 0 : isIP(address) === 6;
  if (!valid) throw new ApiError('VALIDATION_FAILED', 'ip must be an IPv4 or IPv6 address');
  return addressKey(address);
}

/** Whether blocking `key` shuts out loopback: 127.0.0.0/8, ::1, and their IPv4-mapped forms. */
export function coversLoopback(key: string): boolean {
  return key.startsWith('127.') || key === LOOPBACK_V6;
}

function actorName(actor: BlockActor): string {
  return actor.kind === 'admin' ? `admin user ${actor.userId}` : `operator (${actor.channel})`;
}

export function blockedAddress(block: Block): BlockedAddress {
  return {
    ip: block.key,
    reason: block.reason,
    manual: block.manual,
    since: new Date(block.since).toISOString(),
    until: new Date(block.until).toISOString(),
  };
}

export class AddressBlocks {
  constructor(
    private readonly blocks: IpBlocks,
    /** Lifts a block with what led to it (failed logins, attack hits). */
    private readonly guard: Pick<Guard, 'unblock'>,
    private readonly repo: IpBlocksRepo,
    private readonly events: SecurityEvents,
    private readonly now: () => number,
  ) {}

  /** Puts the stored blocks still in force back in place, at start; returns how many. */
  async restore(): Promise<number> {
    const now = this.now();
    const rows = await this.repo.active(now);
    for (const row of rows) {
      await this.blocks.put({
        key: row.address_key,
        reason: row.reason,
        manual: true,
        since: row.since,
        until: row.until,
      });
    }
    return rows.length;
  }

  list(): BlockedAddress[] {
    return this.blocks.list().map(blockedAddress);
  }

  async place(request: BlockRequest, actor: BlockActor): Promise<BlockedAddress> {
    const key = blockKey(request.ip);
    const own = actor.kind === 'admin' && addressKey(actor.address) === key;
    if (request.override !== true && (own || coversLoopback(key))) {
      throw new ApiError(
        'BLOCK_LOCKS_OUT',
        `${key} is ${own ? 'your own address' : 'loopback'}: blocking it locks you out. ` +
          'Send "override": true to block it anyway; `npm run security -- unblock IP` on the host lifts it.',
      );
    }
    const block = await this.blocks.block(key, request.minutes * 60_000, request.reason, true);
    await this.repo.save({
      address_key: key,
      reason: block.reason,
      actor: actorName(actor),
      since: block.since,
      until: block.until,
    });
    await this.record(actor, 'ip_blocked', 'blocked an address', key, {
      reason: request.reason,
      minutes: request.minutes,
      ...(request.override === true ? { override: true } : {}),
    });
    return blockedAddress(block);
  }

  /** Lifts the block on `ip`, stored or not; 404 when there is none. */
  async lift(ip: string, actor: BlockActor): Promise<void> {
    const key = blockKey(ip);
    // The stored row goes first: a node restoring stored blocks meanwhile must not put it back.
    const stored = await this.repo.remove(key);
    const lifted = await this.guard.unblock(key);
    if (!lifted && !stored) throw new ApiError('NOT_FOUND', `${key} is not blocked`);
    await this.record(actor, 'ip_unblocked', 'unblocked an address', key);
  }

  /** Lifts every block, manual and automatic; returns how many were in force. */
  async clear(actor: BlockActor): Promise<number> {
    await this.repo.clear();
    let cleared = 0;
    for (const block of this.blocks.list()) if (await this.guard.unblock(block.key)) cleared += 1;
    await this.record(actor, 'ip_unblocked', 'cleared every blocked address', undefined, {
      cleared,
    });
    return cleared;
  }

  /** The security event (and so the audit leaf) for a change `actor` made. */
  private record(
    actor: BlockActor,
    type: 'ip_blocked' | 'ip_unblocked',
    did: string,
    ip: string | undefined,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const by = actorName(actor);
    return this.events.record({
      type,
      severity: type === 'ip_blocked' ? 'MEDIUM' : 'LOW',
      description: `${by} ${did}`,
      ip,
      userId: actor.kind === 'admin' ? actor.userId : undefined,
      details: { actor: by, ...details },
    });
  }
}
