// Puts the guard in front of the routes: a blocked address is refused in onRequest, before any
// parsing; every request counts against its address's allowance, and once access control knows
// the caller (userAllowance), against the user's. The RateLimit headers tell clients where they
// stand.

import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessDeps } from '../access.ts';
import { addressKey } from '../../defense/client-ip.ts';
import type { Guard } from '../../defense/guard.ts';
import type { LimitDecision, RateClass } from '../../defense/rate-limits.ts';
import type { ExchangeApp } from '../exchange-app.ts';

/** Health checks are for load balancers and monitors; they are not limited. */
const UNLIMITED = new Set(['/api/health']);

export function rateClassOf(url: string): RateClass {
  if (url.startsWith('/api/trading')) return 'orders';
  if (url.startsWith('/api/market') || url.startsWith('/ws/market')) return 'market';
  if (url.startsWith('/api/admin') || url.startsWith('/api/security')) return 'admin';
  if (url.startsWith('/api/crypto')) return 'crypto';
  return 'account';
}

export function setRateHeaders(reply: FastifyReply, decision: LimitDecision): void {
  void reply.header('ratelimit-limit', decision.limit);
  void reply.header('ratelimit-remaining', decision.remaining);
  void reply.header('ratelimit-reset', Math.ceil(decision.resetMs / 1000));
}

/**
 * The client's address: what a trusted proxy reported, if that is an IP address at all;
 * otherwise the connection's own peer. Never free text from a header.
 */
export function clientAddress(request: FastifyRequest): string {
  if (isIP(request.ip) !== 0) return request.ip;
  return request.socket.remoteAddress ?? 'unknown';
}

/** The key limits and blocks use: the address, IPv6 per /64. */
export function clientKey(request: FastifyRequest): string {
  return addressKey(clientAddress(request));
}

/**
 * Counts a request against its user's allowance, for access control to call as soon as it knows
 * the user: for a signed request, before the nonce is recorded.
 */
export function userAllowance(guard: Guard): AccessDeps['limitUser'] {
  return async (request, reply, userId) => {
    const path = request.url.split('?')[0] ?? '';
    setRateHeaders(reply, await guard.request(rateClassOf(path), clientKey(request), userId));
  };
}

export function installDefense(app: ExchangeApp, guard: Guard): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (UNLIMITED.has(path)) return;
    const address = clientKey(request);
    guard.refuseBlocked(address);
    setRateHeaders(reply, await guard.request(rateClassOf(path), address));
  });
  // After validation: a body with unknown fields was refused (400) before any inspection, so the
  // IDS sees only the fields a route declares. Access control ran, so the principal is known.
  app.addHook('preHandler', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    const userId = request.principal?.userId;
    await guard.screen(
      {
        path,
        query: request.url.slice(path.length + 1),
        body: request.body,
        headers: request.headers,
      },
      clientKey(request),
      userId,
    );
  });
}
