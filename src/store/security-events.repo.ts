// All SQL about security events.

import type { Insertable, Kysely, Transaction } from 'kysely';
import type { AuditRows } from '../audit/leaf.ts';
import { insertAuditRows } from './audit.repo.ts';
import { UNFENCED, type WriteFence } from './fence.ts';
import type { Database, SecurityEventRow, SecurityEventsTable, Severity } from './schema.ts';

/** Inside `tx`: the event's row, then the audit leaves `audit` makes for its id. */
async function storeWithLeaves(
  tx: Transaction<Database>,
  event: Insertable<SecurityEventsTable>,
  audit: (id: number) => AuditRows,
): Promise<number> {
  const row = await tx
    .insertInto('security_events')
    .values(event)
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertAuditRows(tx, audit(row.id));
  return row.id;
}

export class SecurityEventsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly fence: WriteFence = UNFENCED,
  ) {}

  /** Stores the event and, in the same transaction, the audit leaves `audit` makes for it. */
  async insert(
    event: Insertable<SecurityEventsTable>,
    audit: (id: number) => AuditRows,
  ): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      await this.fence.check(tx);
      return storeWithLeaves(tx, event, audit);
    });
  }

  /** Keeps an event for the leader to store (see SecurityEvents); no audit leaf yet. */
  async queue(event: Insertable<SecurityEventsTable>): Promise<void> {
    await this.db.insertInto('security_event_inbox').values(event).execute();
  }

  /** The oldest events waiting in the inbox, in the order they were queued. */
  async queued(limit: number): Promise<SecurityEventRow[]> {
    return this.db
      .selectFrom('security_event_inbox')
      .selectAll()
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Stores a queued event with its audit leaves and takes it out of the inbox, in one
   * transaction; undefined if another transaction took it out first.
   */
  async storeQueued(
    queued: SecurityEventRow,
    audit: (id: number) => AuditRows,
  ): Promise<number | undefined> {
    return this.db.transaction().execute(async (tx) => {
      await this.fence.check(tx);
      const taken = await tx
        .deleteFrom('security_event_inbox')
        .where('id', '=', queued.id)
        .executeTakeFirst();
      if (Number(taken.numDeletedRows) !== 1) return undefined;
      const { id: _queuedId, ...event } = queued;
      return storeWithLeaves(tx, event, audit);
    });
  }

  /** Newest first. `since`/`until` are epoch ms; `beforeId` pages back. */
  async page(filter: {
    limit: number;
    type?: string | undefined;
    severity?: Severity | undefined;
    /** Only this user's events. */
    userId?: number | undefined;
    since?: number | undefined;
    until?: number | undefined;
    beforeId?: number | undefined;
  }): Promise<SecurityEventRow[]> {
    let query = this.db.selectFrom('security_events').selectAll();
    if (filter.type !== undefined) query = query.where('event_type', '=', filter.type);
    if (filter.severity !== undefined) query = query.where('severity', '=', filter.severity);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    return query.orderBy('id', 'desc').limit(filter.limit).execute();
  }

  /** Events from `since` (epoch ms), and before `until` when given. */
  async countsBySeverity(since: number, until?: number): Promise<Record<Severity, number>> {
    let query = this.db
      .selectFrom('security_events')
      .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
      .where('created_at', '>=', since);
    if (until !== undefined) query = query.where('created_at', '<', until);
    const rows = await query.groupBy('severity').execute();
    const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
    for (const r of rows) counts[r.severity] = Number(r.n);
    return counts;
  }

  /** Events per type in [since, until), epoch ms. */
  async countsByType(since: number, until: number): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('security_events')
      .select(['event_type', (eb) => eb.fn.countAll<number>().as('n')])
      .where('created_at', '>=', since)
      .where('created_at', '<', until)
      .groupBy('event_type')
      .orderBy('event_type')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.event_type, Number(r.n)]));
  }

  /** The addresses with the most events in [since, until), most first; ties by address. */
  async topSources(
    since: number,
    until: number,
    limit: number,
  ): Promise<{ source_ip: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('security_events')
      .select(['source_ip', (eb) => eb.fn.countAll<number>().as('n')])
      .where('created_at', '>=', since)
      .where('created_at', '<', until)
      .where('source_ip', 'is not', null)
      .groupBy('source_ip')
      .orderBy('n', 'desc')
      .orderBy('source_ip')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ source_ip: r.source_ip ?? '', count: Number(r.n) }));
  }
}
