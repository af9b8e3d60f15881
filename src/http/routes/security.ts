// /api/security: the defense system for administrators: posture, events, blocked addresses.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isIP } from 'node:net';
import { ApiError } from '../../errors.ts';
import { addressKey } from '../../defense/client-ip.ts';
import type { IpBlocks } from '../../defense/ip-blocks.ts';
import { posture } from '../../defense/posture.ts';
import type { SecurityEvents } from '../../defense/security-events.ts';
import type { SecurityEventsRepo } from '../../store/security-events.repo.ts';
import { principalOf } from '../access.ts';
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

export interface SecurityRouteOptions {
  repo: SecurityEventsRepo;
  events: SecurityEvents;
  blocks: IpBlocks;
  now: () => number;
}

function keyOf(ip: string): string {
  const bare = ip.replace(/\/64$/, '').replace(/::$/, '::0');
  if (isIP(ip) === 0 && isIP(bare) === 0)
    throw new ApiError('VALIDATION_FAILED', 'body.ip must be an IPv4 or IPv6 address');
  return isIP(ip) === 0 ? ip : addressKey(ip);
}

export const securityRoutes: FastifyPluginAsyncTypebox<SecurityRouteOptions> = (app, options) => {
  const { repo, events, blocks, now } = options;

  app.get(
    '/api/security/status',
    { config: { access: 'admin' }, schema: { tags, security } },
    async () => {
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
    },
  );

  app.get(
    '/api/security/events',
    {
      config: { access: 'admin' },
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
        events: page.map((e) => ({
          id: e.id,
          event_type: e.event_type,
          severity: e.severity,
          source_ip: e.source_ip,
          user_id: e.user_id,
          description: e.description,
          details: e.details === null ? null : (JSON.parse(e.details) as unknown),
          timestamp: new Date(e.created_at).toISOString(),
        })),
        next_before_id: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.get(
    '/api/security/blocked-ips',
    { config: { access: 'admin' }, schema: { tags, security } },
    () => ({
      blocked_ips: blocks.list().map((b) => ({
        ip: b.key,
        reason: b.reason,
        manual: b.manual,
        since: new Date(b.since).toISOString(),
        until: new Date(b.until).toISOString(),
      })),
    }),
  );

  app.post(
    '/api/security/block-ip',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        security,
        body: Type.Object(
          {
            ip: Address,
            minutes: Type.Integer({ minimum: 1, maximum: 525_600 }),
            reason: Type.String({ minLength: 3, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Success, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const key = keyOf(request.body.ip);
      blocks.block(key, request.body.minutes * 60_000, request.body.reason, true);
      await events.record({
        type: 'ip_blocked',
        severity: 'MEDIUM',
        description: 'an administrator blocked an address',
        ip: key,
        userId: principalOf(request).userId,
        details: { reason: request.body.reason, minutes: request.body.minutes },
      });
      return { success: true as const };
    },
  );

  app.post(
    '/api/security/unblock-ip',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        security,
        body: Type.Object({ ip: Address }, { additionalProperties: false }),
        response: { 200: Success, ...AUTHENTICATED_ERRORS },
      },
    },
    async (request) => {
      const key = keyOf(request.body.ip);
      if (!blocks.unblock(key)) throw new ApiError('NOT_FOUND', `${key} is not blocked`);
      await events.record({
        type: 'ip_unblocked',
        severity: 'LOW',
        description: 'an administrator unblocked an address',
        ip: key,
        userId: principalOf(request).userId,
      });
      return { success: true as const };
    },
  );
  return Promise.resolve();
};
