// All SQL about security events.

import type { Insertable, Kysely } from 'kysely';
import type { Database, SecurityEventRow, SecurityEventsTable, Severity } from './schema.ts';

export class SecurityEventsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(event: Insertable<SecurityEventsTable>): Promise<number> {
    const row = await this.db
      .insertInto('security_events')
      .values(event)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Newest first. `since`/`until` are epoch ms; `beforeId` pages back. */
  async page(filter: {
    limit: number;
    type?: string | undefined;
    severity?: Severity | undefined;
    since?: number | undefined;
    until?: number | undefined;
    beforeId?: number | undefined;
  }): Promise<SecurityEventRow[]> {
    let query = this.db.selectFrom('security_events').selectAll();
    if (filter.type !== undefined) query = query.where('event_type', '=', filter.type);
    if (filter.severity !== undefined) query = query.where('severity', '=', filter.severity);
    if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    return query.orderBy('id', 'desc').limit(filter.limit).execute();
  }

  async countsBySeverity(since: number): Promise<Record<Severity, number>> {
    const rows = await this.db
      .selectFrom('security_events')
      .select(['severity', (eb) => eb.fn.countAll<number>().as('n')])
      .where('created_at', '>=', since)
      .groupBy('severity')
      .execute();
    const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
    for (const r of rows) counts[r.severity] = Number(r.n);
    return counts;
  }
}
