// Puts the guard in front of the routes: a blocked address is refused in onRequest, before any
// parsing; every request counts against its address's allowance, and once access control knows
// the caller (userAllowance), against the user's. The RateLimit headers tell clients where they
// stand.

import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessDeps } from '../access.ts';
import { addressKey } from '../../defense/client-ip.ts';
import type { Guard } from '../../defense/guard.ts';
import type { FieldPolicy } from '../../defense/ids/index.ts';
import type { LimitDecision, RateClass } from '../../defense/rate-limits.ts';
import type { ExchangeApp } from '../exchange-app.ts';

/** The allowance a route's requests count against; health checks are `unlimited`. */
export type RouteRateClass = RateClass | 'unlimited';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every route declares its rate class; the app refuses to start with a route that does not. */
    rateClass?: RouteRateClass;
    /**
     * The kinds of the route's top-level body fields (FieldPolicy): `secret` ones (passwords,
     * MFA codes, plaintext to encrypt) the IDS never sees; `opaque` ones (the bytes a user hashes,
     * signs or has encrypted) it only reports; `freeText` ones (names, notes, reasons, labels)
     * refuse only on high-confidence rules. The rest is inspected as before.
     */
    fields?: FieldPolicy;
  }
}

/**
 * The class the routed route declares, so that however its path was spelt (`/api/%74rading`) a
 * request counts where the route does. A path no route serves counts as `account`. A route
 * without a class never gets here (installDefense stops the start-up), so there is no default.
 */
export function rateClassOf(request: FastifyRequest): RouteRateClass {
  if (request.is404) return 'account';
  const rateClass = request.routeOptions.config.rateClass;
  if (rateClass === undefined) {
    throw new Error(`route ${request.routeOptions.url ?? request.url} declares no rate class`);
  }
  return rateClass;
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

/** The names in a route's `config.fields` that its body schema does not declare. */
function undeclaredFields(fields: FieldPolicy, body: unknown): string[] {
  const declared = (body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const named = [...(fields.secret ?? []), ...(fields.opaque ?? []), ...(fields.freeText ?? [])];
  return named.filter((name) => !Object.hasOwn(declared, name));
}

/**
 * Call before any route is registered: the app then refuses to start with a route without a
 * class, or whose IDS field kinds are not what it inspects.
 */
export function installDefense(app: ExchangeApp, guard: Guard): void {
  const unclassed: string[] = [];
  const misnamed: string[] = [];
  app.addHook('onRoute', (route) => {
    // A misspelt secret, or `config.opaque` (the field list before `config.fields`), would be
    // ignored and leave a password inspected, and logged, as a structured field.
    const { fields } = route.config ?? {};
    const undeclared = fields === undefined ? [] : undeclaredFields(fields, route.schema?.body);
    if (undeclared.length > 0) misnamed.push(`${route.url} (${undeclared.join(', ')})`);
    if (route.config !== undefined && 'opaque' in route.config) {
      misnamed.push(`${route.url} (config.opaque is now config.fields)`);
    }
    if (route.config?.rateClass !== undefined) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method])
      if (method !== 'HEAD') unclassed.push(`${method} ${route.url}`);
  });
  app.addHook('onReady', () => {
    if (unclassed.length > 0) {
      return Promise.reject(new Error(`routes without a rate class: ${unclassed.join(', ')}`));
    }
    if (misnamed.length > 0) {
      return Promise.reject(
        new Error(`config.fields names fields the body does not have: ${misnamed.join(', ')}`),
      );
    }
    return Promise.resolve();
  });
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
        body: request.body,
        headers: request.headers,
        fields: request.routeOptions.config.fields,
      },
      clientKey(request),
      userId,
    );
  });
}
