import { describe, expect, it } from 'vitest';
import type { WriteBatch } from '../store/trading.repo.ts';
import { Journal, JournalFailure, emptyBatch, mergeBatches } from './journal.ts';

function batchWithOrder(id: number, status: string): WriteBatch {
  const b = emptyBatch();
  b.orders.push({
    id,
    user_id: 1,
    symbol: 'TCS',
    side: 'BUY',
    mode: 'LIMIT',
    time_in_force: 'GTC',
    price: 100,
    quantity: 1,
    status,
    sequence: id,
    created_at: 0,
    updated_at: 0,
  });
  return b;
}

describe('Journal', () => {
  it('writes everything queued in one turn as one transaction, in order', async () => {
    const writes: WriteBatch[] = [];
    const journal = new Journal(
      (group) => {
        writes.push(mergeBatches(group));
        return Promise.resolve();
      },
      () => undefined,
    );
    await Promise.all([
      journal.commit(batchWithOrder(1, 'OPEN')),
      journal.commit(batchWithOrder(2, 'OPEN')),
      journal.commit(batchWithOrder(1, 'FILLED')),
    ]);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.orders.map((o) => [o.id, o.status])).toEqual([
      [1, 'FILLED'],
      [2, 'OPEN'],
    ]);
    expect(journal.stats).toEqual({ commits: 1, batches: 3 });
  });

  it('groups what arrives during a write into the next transaction', async () => {
    const writes: number[] = [];
    let release: () => void = () => undefined;
    const journal = new Journal(
      (group) => {
        writes.push(group.length);
        return writes.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      () => undefined,
    );
    const first = journal.commit(batchWithOrder(1, 'OPEN'));
    await new Promise((r) => setImmediate(r));
    const later = [
      journal.commit(batchWithOrder(2, 'OPEN')),
      journal.commit(batchWithOrder(3, 'OPEN')),
    ];
    release();
    await first;
    await Promise.all(later);
    expect(writes).toEqual([1, 2]);
  });

  it('resolves nobody when the write fails, and refuses everything after', async () => {
    const failures: Error[] = [];
    const journal = new Journal(
      () => Promise.reject(new Error('disk full')),
      (e) => failures.push(e),
    );
    await expect(journal.commit(batchWithOrder(1, 'OPEN'))).rejects.toThrow('disk full');
    await expect(journal.commit(batchWithOrder(2, 'OPEN'))).rejects.toThrow('disk full');
    expect(failures).toHaveLength(1);
    expect(journal.failed?.message).toBe('disk full');
  });

  it('says the failed group may have landed, what came after did not, and takes commits after resume', async () => {
    let fail = true;
    const written: number[] = [];
    let release: () => void = () => undefined;
    const journal = new Journal(
      (group) => {
        if (!fail) {
          written.push(...group.flatMap((b) => b.orders.map((o) => o.id)));
          return Promise.resolve();
        }
        return new Promise<void>((_, reject) => (release = () => reject(new Error('lost'))));
      },
      () => undefined,
    );
    const first = journal.commit(batchWithOrder(1, 'OPEN'));
    await new Promise((r) => setImmediate(r));
    const queued = journal.commit(batchWithOrder(2, 'OPEN'));
    release();
    await expect(first).rejects.toMatchObject({ outcome: 'unknown', message: 'lost' });
    await expect(queued).rejects.toMatchObject({ outcome: 'not-written' });
    const after = journal.commit(batchWithOrder(3, 'OPEN'));
    await expect(after).rejects.toBeInstanceOf(JournalFailure);
    await expect(after).rejects.toMatchObject({ outcome: 'not-written' });
    fail = false;
    journal.resume();
    await journal.commit(batchWithOrder(4, 'OPEN'));
    expect(journal.failed).toBeUndefined();
    expect(written).toEqual([4]);
  });

  it('merges balances and symbols by key, keeping trades and entries', () => {
    const a = emptyBatch();
    const b = emptyBatch();
    a.balances.push({ user_id: 1, asset: 'INR', available: 5, held: 0, updated_at: 1 });
    b.balances.push({ user_id: 1, asset: 'INR', available: 3, held: 2, updated_at: 2 });
    a.symbols.push({ symbol: 'TCS', last_sequence: 4, last_price: 10, stop_triggers: '[]' });
    b.symbols.push({ symbol: 'TCS', last_sequence: 9, last_price: 11, stop_triggers: '[]' });
    const merged = mergeBatches([a, b]);
    expect(merged.balances).toEqual([
      { user_id: 1, asset: 'INR', available: 3, held: 2, updated_at: 2 },
    ]);
    expect(merged.symbols).toEqual([
      { symbol: 'TCS', last_sequence: 9, last_price: 11, stop_triggers: '[]' },
    ]);
  });
});
