// /api/security: the defense system for administrators: posture, events, reports, blocked
// addresses. Reports are bounded in time range and size, and their CSV is safe to open in a
// spreadsheet.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../../errors.ts';
import type { AddressBlocks, BlockActor } from '../../defense/address-blocks.ts';
import type { IpBlocks } from '../../defense/ip-blocks.ts';
import { posture, type Posture } from '../../defense/posture.ts';
import { recordedEvent, type RecordedSecurityEvent } from '../../defense/security-events.ts';
import type { SecurityEventsRepo } from '../../store/security-events.repo.ts';
import type { Severity as SeverityName } from '../../store/schema.ts';
import { principalOf } from '../access.ts';
import { csvDocument } from '../csv.ts';
import { clientKey } from '../plugins/defense.ts';
import { AUTHENTICATED_ERRORS, Success } from '../schemas/common.ts';

const tags = ['security'];
const security = [{ bearer: [] }];
const Severity = Type.Union([
  Type.Literal('LOW'),
  Type.Literal('MEDIUM'),
  Type.Literal('HIGH'),
  Type.Literal('CRITICAL'),
]);
const Address = Type.String({ minLength: 2, maxLength: 64 });

/** A report covers at most this span, and lists at most this many events (newest first). */
export const REPORT_MAX_DAYS = 31;
export const REPORT_MAX_EVENTS = 10_000;
/** Addresses listed in a report's `top_sources`. */
const REPORT_TOP_SOURCES = 10;

/** A report without `from` covers this much before `to` (or before now). */
export const REPORT_DEFAULT_HOURS = 24;

const ReportQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
});

/** What the posture is read from. */
export interface SecurityStatusDeps {
  repo: SecurityEventsRepo;
  blocks: IpBlocks;
  now: () => number;
}

export interface SecurityRouteOptions extends SecurityStatusDeps {
  /** Places, lifts and clears blocks, as the control socket does. */
  blocking: AddressBlocks;
}

export interface SecurityStatus {
  status: Posture;
  blocked_ips: number;
  recent_events: number;
  severity_breakdown: Record<SeverityName, number>;
  window_minutes: number;
  timestamp: string;
}

/** The posture and last hour's counts, as `/api/security/status` and `/ws/security` give them. */
export async function securityStatus({
  repo,
  blocks,
  now,
}: SecurityStatusDeps): Promise<SecurityStatus> {
  const t = now();
  const quarter = await repo.countsBySeverity(t - 15 * 60_000);
  const hour = await repo.countsBySeverity(t - 60 * 60_000);
  const blocked = blocks.list().length;
  return {
    status: posture(quarter, hour, blocked),
    blocked_ips: blocked,
    recent_events: hour.CRITICAL + hour.HIGH + hour.MEDIUM + hour.LOW,
    severity_breakdown: hour,
    window_minutes: 60,
    timestamp: new Date(t).toISOString(),
  };
}

/**
 * [from, to) in epoch ms, or a 400 that says what is wrong with the range. `to` defaults to now
 * and `from` to REPORT_DEFAULT_HOURS before `to`.
 */
function reportRange(
  from: string | undefined,
  to: string | undefined,
  now: number,
): { since: number; until: number } {
  const until = to === undefined ? now : Date.parse(to);
  const since = from === undefined ? until - REPORT_DEFAULT_HOURS * 3_600_000 : Date.parse(from);
  if (Number.isNaN(since))
    throw new ApiError('VALIDATION_FAILED', 'querystring.from is not a valid time');
  if (Number.isNaN(until))
    throw new ApiError('VALIDATION_FAILED', 'querystring.to is not a valid time');
  if (since >= until)
    throw new ApiError('VALIDATION_FAILED', 'querystring.from must be before querystring.to');
  if (until - since > REPORT_MAX_DAYS * 86_400_000)
    throw new ApiError(
      'VALIDATION_FAILED',
      `a report covers at most ${REPORT_MAX_DAYS} days; narrow from/to`,
    );
  return { since, until };
}

export const REPORT_CSV_HEADER = 'id,timestamp,type,severity,source_ip,user_id,description,details';

/** One row per event (RFC 4180, see csv.ts). */
export function reportCsv(events: readonly RecordedSecurityEvent[]): string {
  return csvDocument(
    REPORT_CSV_HEADER.split(','),
    events.map((e) => [
      e.id,
      e.timestamp,
      e.event_type,
      e.severity,
      e.source_ip,
      e.user_id,
      e.description,
      e.details === null ? null : JSON.stringify(e.details),
    ]),
  );
}

/** `2026-11-22T12:00:00.000Z` as `20261122T120000Z`, for a file name. */
function compactTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}/, '')
    .replaceAll(/[-:]/g, '');
}

/** The administrator making the request, from the address blocks are keyed on. */
function adminActor(request: Parameters<typeof principalOf>[0]): BlockActor {
  return { kind: 'admin', userId: principalOf(request).userId, address: clientKey(request) };
}

export const securityRoutes: FastifyPluginAsyncTypebox<SecurityRouteOptions> = (app, options) => {
  const { repo, blocks, blocking, now } = options;

  app.get(
    '/api/security/status',
    { config: { access: 'admin', rateClass: 'admin' }, schema: { tags, security } },
    () => securityStatus({ repo, blocks, now }),
  );

  app.get(
    '/api/security/events',
    {
      config: { access: 'admin', rateClass: 'admin' },
      schema: {
        tags,
        security,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          severity: Type.Optional(Severity),
          type: Type.Optional(Type.String({ pattern: '^[a-z_]+$', maxLength: 64 })),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          before_id: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await repo.page({
        limit: q.limit + 1,
        severity: q.severity,
        type: q.type,
        since: q.since === undefined ? undefined : Date.parse(q.since),
        beforeId: q.before_id,
      });
      const page = rows.slice(0, q.limit);
      return {
        events: page.map(recordedEvent),
        next_before_id: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.get(
    '/api/security/report',
    {
      config: { access: 'admin', rateClass: 'admin' },
      schema: { tags, security, querystring: ReportQuery },
    },
    async (request, reply) => {
      const q = request.query;
      const { since, until } = reportRange(q.from, q.to, now());
      const bySeverity = await repo.countsBySeverity(since, until);
      const byType = await repo.countsByType(since, until);
      const topSources = await repo.topSources(since, until, REPORT_TOP_SOURCES);
      const rows = await repo.page({ limit: REPORT_MAX_EVENTS + 1, since, until });
      const events = rows.slice(0, REPORT_MAX_EVENTS).map(recordedEvent);
      const truncated = rows.length > REPORT_MAX_EVENTS;
      if (q.format === 'csv') {
        const name = `security-report-${compactTime(since)}-${compactTime(until)}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .header('x-report-truncated', String(truncated))
          .send(reportCsv(events));
      }
      return {
        from: new Date(since).toISOString(),
        to: new Date(until).toISOString(),
        total: bySeverity.CRITICAL + bySeverity.HIGH + bySeverity.MEDIUM + bySeverity.LOW,
        by_severity: bySeverity,
        by_type: byType,
        top_sources: topSources,
        events,
        truncated,
        max_events: REPORT_MAX_EVENTS,
      };
    },
  );

  app.get(
    '/api/security/blocked-ips',
    { config: { access: 'admin', rateClass: 'admin' }, schema: { tags, security } },
    () => ({ blocked_ips: blocking.list() }),
  );

  app.delete(
    '/api/security/blocked-ips',
    {
      config: { access: 'admin', rateClass: 'admin' },
      schema: {
        tags,
        security,
        response: {
          200: Type.Object({ message: Type.String(), cleared: Type.Integer({ minimum: 0 }) }),
          ...AUTHENTICATED_ERRORS,
        },
      },
    },
    async (request) => {
      const cleared = await blocking.clear(adminActor(request));
      return { message: `cleared ${cleared} blocked address${cleared === 1 ? '' : 'es'}`, cleared };
    },
  );

  app.post(
    '/api/security/block-ip',
    {
      config: { access: 'admin', rateClass: 'admin', fields: { freeText: ['reason'] } },
      schema: {
        tags,
        security,
        body: Type.Object(
          {
            ip: Address,
            minutes: Type.Integer({ minimum: 1, maximum: 525_600 }),
            reason: Type.String({ minLength: 3, maxLength: 200 }),
            /** Block even the requester's own address or loopback, which locks them out. */
            override: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Success, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      await blocking.place(request.body, adminActor(request));
      return { success: true as const };
    },
  );

  app.post(
    '/api/security/unblock-ip',
    {
      config: { access: 'admin', rateClass: 'admin' },
      schema: {
        tags,
        security,
        body: Type.Object({ ip: Address }, { additionalProperties: false }),
        response: { 200: Success, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      await blocking.lift(request.body.ip, adminActor(request));
      return { success: true as const };
    },
  );
  return Promise.resolve();
};
