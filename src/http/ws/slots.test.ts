import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADDRESS_FULL, FULL, Slots, USER_FULL, type Slot, type SlotKind } from './slots.ts';

/** A holder that remembers how it was closed. */
function holder() {
  const closes: [number, string][] = [];
  return { closes, close: (code: number, reason: string) => void closes.push([code, reason]) };
}

const isSlot = (taken: Slot | { code: number }): taken is Slot => !('code' in taken);

describe('WebSocket slots', () => {
  it('refuses an address at its cap, and nobody else', () => {
    const slots = new Slots({ total: 10, perAddress: 2, perUser: 5 });
    expect(isSlot(slots.take('a', 'market', holder()))).toBe(true);
    expect(isSlot(slots.take('a', 'private', holder()))).toBe(true);
    expect(slots.take('a', 'market', holder())).toEqual(ADDRESS_FULL);
    expect(isSlot(slots.take('b', 'market', holder()))).toBe(true);
  });

  it('when full, a private socket takes the newest market slot of the busiest address', () => {
    const slots = new Slots({ total: 4, perAddress: 4, perUser: 5 });
    const a1 = holder();
    const a2 = holder();
    const b1 = holder();
    slots.take('a', 'market', a1);
    slots.take('a', 'market', a2);
    slots.take('b', 'market', b1);
    slots.take('c', 'private', holder());
    expect(slots.take('d', 'market', holder())).toEqual(FULL);
    expect(isSlot(slots.take('d', 'private', holder()))).toBe(true);
    expect([a1.closes, a2.closes, b1.closes]).toEqual([[], [[FULL.code, FULL.reason]], []]);
    expect(slots.size).toBe(4);
  });

  it('gives a user at most their seats, and a released socket its seat back', () => {
    const slots = new Slots({ total: 10, perAddress: 10, perUser: 1 });
    const first = slots.take('a', 'private', holder()) as Slot;
    const second = slots.take('a', 'private', holder()) as Slot;
    expect(slots.signIn(first, 7)).toBe(true);
    expect(slots.signIn(first, 7)).toBe(true);
    expect(slots.signIn(second, 7)).toBe(false);
    expect(USER_FULL.code).toBe(1008);
    slots.release(first);
    slots.release(first);
    expect(slots.signIn(second, 7)).toBe(true);
  });

  it('keeps every cap, and admits a private socket while any market socket holds a slot, for all sequences', () => {
    const step = fc.oneof(
      fc.record({
        op: fc.constant('take' as const),
        address: fc.constantFrom('a', 'b', 'c'),
        kind: fc.constantFrom<SlotKind>('market', 'private'),
      }),
      fc.record({ op: fc.constant('signIn' as const), pick: fc.nat(), user: fc.nat(2) }),
      fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const limits = { total: 5, perAddress: 3, perUser: 2 };
        const slots = new Slots(limits);
        const open: Slot[] = [];
        /** Set by the holder whose slot a take gave to another socket. */
        let evicted: Slot | undefined;
        for (const s of steps) {
          if (s.op === 'take') {
            const fromAddress = open.filter((o) => o.address === s.address).length;
            const marketHeld = open.some((o) => o.kind === 'market');
            evicted = undefined;
            const mine: { slot?: Slot; close: () => void } = { close: () => (evicted = mine.slot) };
            const taken = slots.take(s.address, s.kind, mine);
            if (evicted !== undefined) {
              expect(mayGiveWay(open, evicted)).toBe(true);
              open.splice(open.indexOf(evicted), 1);
            }
            if (isSlot(taken)) {
              mine.slot = taken;
              open.push(taken);
            } else if (fromAddress < limits.perAddress) {
              expect(s.kind === 'private' && marketHeld).toBe(false);
            }
          } else {
            const slot = open[s.pick % Math.max(1, open.length)];
            if (slot === undefined) continue;
            if (s.op === 'signIn') slots.signIn(slot, s.user);
            else {
              slots.release(slot);
              open.splice(open.indexOf(slot), 1);
            }
          }
          expect(slots.size).toBe(open.length);
          expect(open.length).toBeLessThanOrEqual(limits.total);
          for (const address of ['a', 'b', 'c'])
            expect(open.filter((o) => o.address === address).length).toBeLessThanOrEqual(3);
          for (const user of [0, 1, 2])
            expect(open.filter((o) => o.userId === user).length).toBeLessThanOrEqual(2);
        }
      }),
    );
  });
});

/** Whether a full server may take this slot back: the newest market slot of an address that
 * holds as many market slots as any. */
function mayGiveWay(open: readonly Slot[], slot: Slot): boolean {
  const market = open.filter((o) => o.kind === 'market');
  const count = (address: string) => market.filter((o) => o.address === address).length;
  const most = Math.max(...market.map((o) => count(o.address)));
  return (
    count(slot.address) === most && market.filter((o) => o.address === slot.address).at(-1) === slot
  );
}
