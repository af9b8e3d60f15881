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

  async recent(filter: {
    limit: number;
    type?: string;
    severity?: Severity;
    userId?: number;
  }): Promise<SecurityEventRow[]> {
    let query = this.db.selectFrom('security_events').selectAll();
    if (filter.type !== undefined) query = query.where('event_type', '=', filter.type);
    if (filter.severity !== undefined) query = query.where('severity', '=', filter.severity);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    return query.orderBy('id', 'desc').limit(filter.limit).execute();
  }
}
