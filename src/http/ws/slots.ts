// Who holds the server's WebSocket slots: at most WS_MAX_CONNECTIONS sockets in all,
// WS_MAX_CONNECTIONS_PER_IP from one address and WS_MAX_CONNECTIONS_PER_USER signed in as one
// user. A signed-in channel never loses out to anonymous market data: when every slot is taken it
// takes the slot of a /ws/market socket (the newest of the address holding the most of them),
// while a market socket is refused. Synchronous: no await between a check and its effect.

import { CLOSE } from './protocol.ts';

/** `market`: public, anonymous. `private`: a channel the client signs in to. */
export type SlotKind = 'market' | 'private';

export interface SlotLimits {
  total: number;
  perAddress: number;
  perUser: number;
}

/** What a slot is taken from when another channel needs it. */
export interface SlotHolder {
  close(code: number, reason: string): void;
}

export interface Slot {
  readonly address: string;
  readonly kind: SlotKind;
  readonly holder: SlotHolder;
  userId: number | undefined;
}

export interface Refusal {
  code: number;
  reason: string;
}

export const FULL: Refusal = { code: CLOSE.TRY_AGAIN_LATER, reason: 'try again later' };
export const ADDRESS_FULL: Refusal = {
  code: CLOSE.POLICY,
  reason: 'too many connections from this address',
};
export const USER_FULL: Refusal = {
  code: CLOSE.POLICY,
  reason: 'too many connections for this user',
};

export class Slots {
  /** Oldest first. */
  private readonly open = new Set<Slot>();
  private readonly byAddress = new Map<string, Set<Slot>>();
  private readonly byUser = new Map<number, number>();

  constructor(private readonly limits: SlotLimits) {}

  get size(): number {
    return this.open.size;
  }

  /** A slot for a new socket from `address`, or why not. */
  take(address: string, kind: SlotKind, holder: SlotHolder): Slot | Refusal {
    const fromAddress = this.byAddress.get(address);
    if ((fromAddress?.size ?? 0) >= this.limits.perAddress) return ADDRESS_FULL;
    if (this.open.size >= this.limits.total) {
      const victim = kind === 'private' ? this.marketVictim() : undefined;
      if (victim === undefined) return FULL;
      this.release(victim);
      victim.holder.close(FULL.code, FULL.reason);
    }
    const slot: Slot = { address, kind, holder, userId: undefined };
    this.open.add(slot);
    const set = fromAddress ?? new Set<Slot>();
    set.add(slot);
    this.byAddress.set(address, set);
    return slot;
  }

  /** The socket signed in as `userId`: false, and nothing changes, when the user has no seat left. */
  signIn(slot: Slot, userId: number): boolean {
    if (!this.open.has(slot)) return false;
    if (slot.userId === userId) return true;
    const held = this.byUser.get(userId) ?? 0;
    if (held >= this.limits.perUser) return false;
    this.signOut(slot);
    this.byUser.set(userId, held + 1);
    slot.userId = userId;
    return true;
  }

  /** Frees the slot; calling it again does nothing. */
  release(slot: Slot): void {
    if (!this.open.delete(slot)) return;
    this.signOut(slot);
    const set = this.byAddress.get(slot.address);
    set?.delete(slot);
    if (set?.size === 0) this.byAddress.delete(slot.address);
  }

  private signOut(slot: Slot): void {
    if (slot.userId === undefined) return;
    const held = (this.byUser.get(slot.userId) ?? 1) - 1;
    if (held === 0) this.byUser.delete(slot.userId);
    else this.byUser.set(slot.userId, held);
    slot.userId = undefined;
  }

  /** The newest market socket of the address that holds the most market sockets. */
  private marketVictim(): Slot | undefined {
    let victim: Slot | undefined;
    let most = 0;
    for (const set of this.byAddress.values()) {
      const market = [...set].filter((s) => s.kind === 'market');
      if (market.length > most) {
        most = market.length;
        victim = market.at(-1);
      }
    }
    return victim;
  }
}
