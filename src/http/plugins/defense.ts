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

/** The allowance a route's requests count against; health checks are `unlimited`. */
export type RouteRateClass = RateClass | 'unlimited';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every route declares its rate class; the app refuses to start with a route that does not. */
    rateClass?: RouteRateClass;
    /**
     * Top-level body fields the IDS leaves alone: secrets and the bytes a user has hashed,
     * encrypted or signed (passwords, codes, crypto API data). They never reach SQL or a page, and
     * honest ones look like anything, so inspecting them could only refuse honest input.
     */
    opaque?: readonly string[];
  }
}

/** The body without the route's opaque fields, for the IDS. */
function inspectedBody(request: FastifyRequest): unknown {
  const opaque = request.routeOptions.config.opaque;
  const body = request.body;
  if (opaque === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) {
    return body;
  }
  return Object.fromEntries(Object.entries(body).filter(([key]) => !opaque.includes(key)));
}

/**
 * The class the routed route declares, so that however its path was spelt (`/api/%74rading`) a
 * request counts where the route does. A path no route serves counts as `account`.
 */
export function rateClassOf(request: FastifyRequest): RouteRateClass {
  return request.is404 ? 'account' : (request.routeOptions.config.rateClass ?? 'account');
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
    const rateClass = rateClassOf(request);
    if (rateClass === 'unlimited') return;
    setRateHeaders(reply, await guard.request(rateClass, clientKey(request), userId));
  };
}

/** Call before any route is registered: the app then refuses to start with a route without a class. */
export function installDefense(app: ExchangeApp, guard: Guard): void {
  const unclassed: string[] = [];
  app.addHook('onRoute', (route) => {
    if (route.config?.rateClass !== undefined) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method])
      if (method !== 'HEAD') unclassed.push(`${method} ${route.url}`);
  });
  app.addHook('onReady', () =>
    unclassed.length === 0
      ? Promise.resolve()
      : Promise.reject(new Error(`routes without a rate class: ${unclassed.join(', ')}`)),
  );
  app.addHook('onRequest', async (request, reply) => {
    const rateClass = rateClassOf(request);
    if (rateClass === 'unlimited') return;
    const address = clientKey(request);
    guard.refuseBlocked(address);
    setRateHeaders(reply, await guard.request(rateClass, address));
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
        body: inspectedBody(request),
        headers: request.headers,
      },
      clientKey(request),
      userId,
    );
  });
}
