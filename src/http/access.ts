// Every route declares who may call it in `config.access`; the app refuses to start with a route
// that does not. The check itself runs before every handler: routes never authenticate alone.
// Once the caller is known, the request counts against the user's allowance, exactly once; for a
// signed request that happens before its nonce is recorded, so a 429 costs the key no nonce.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import type { ApiKeyScope, Principal } from '../auth/principal.ts';
import type { ApiKeys } from '../auth/api-keys.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { SecurityEvents } from '../defense/security-events.ts';
import type { ExchangeApp } from './exchange-app.ts';
import { clientAddress } from './plugins/defense.ts';

/** `user` also admits admins; `{ apiKey }` admits a user token or a signed request with the scope. */
export type AccessPolicy = 'public' | 'user' | 'admin' | { apiKey: ApiKeyScope };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessPolicy;
    /** Reachable while the account must change its password (change it, see who you are, leave). */
    allowPendingPasswordChange?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    rawBody: string | undefined;
  }
}

export interface RoutePolicy {
  method: string;
  url: string;
  access: AccessPolicy | undefined;
}

export interface AccessDeps {
  sessions: Sessions;
  apiKeys: ApiKeys;
  events: SecurityEvents;
  /** Counts the request against the user's allowance; throws (429) once it is spent. */
  limitUser(request: FastifyRequest, reply: FastifyReply, userId: number): Promise<void>;
}

/** Scopes a key needs for a policy: `trade` keys may also read. */
function scopeAllows(scopes: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return scopes.includes(needed) || (needed === 'read' && scopes.includes('trade'));
}

/** The signed-in principal of a route that is not public; routes call this, never `null`. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new ApiError('UNAUTHENTICATED', 'sign in first');
  return request.principal;
}

async function identify(
  request: FastifyRequest,
  reply: FastifyReply,
  policy: AccessPolicy,
  deps: AccessDeps,
): Promise<Principal> {
  const authorization = request.headers.authorization;
  const origin = { ip: clientAddress(request), userAgent: request.headers['user-agent'] };
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization);
    if (match?.[1] === undefined)
      throw new ApiError('INVALID_TOKEN', 'use Authorization: Bearer <access token>');
    const principal = await deps.sessions.authenticate(match[1]);
    await deps.limitUser(request, reply, principal.userId);
    return principal;
  }
  if (request.headers['x-api-key'] !== undefined) {
    if (typeof policy !== 'object') {
      throw new ApiError('FORBIDDEN', 'API keys cannot call this route; sign in as the user');
    }
    return deps.apiKeys.authenticate(
      { method: request.method, url: request.url, headers: request.headers, body: request.rawBody },
      origin,
      (userId) => deps.limitUser(request, reply, userId),
    );
  }
  throw new ApiError('UNAUTHENTICATED', 'this route needs an access token or a signed request');
}

async function enforce(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: AccessDeps,
): Promise<void> {
  const config = request.routeOptions.config;
  const policy = config.access;
  if (request.is404) return;
  if (policy === undefined) throw new ApiError('FORBIDDEN', 'this route declares no access policy');
  if (policy === 'public') return;
  const principal = await identify(request, reply, policy, deps);
  if (
    typeof policy === 'object' &&
    principal.via === 'api-key' &&
    !scopeAllows(principal.scopes, policy.apiKey)
  ) {
    throw new ApiError('FORBIDDEN', `this API key lacks the '${policy.apiKey}' scope`);
  }
  if (policy === 'admin' && principal.role !== 'admin') {
    await deps.events.record({
      type: 'authz_fail',
      severity: 'MEDIUM',
      description: 'a non-admin called an admin route',
      ip: clientAddress(request),
      userId: principal.userId,
      details: { method: request.method, route: request.routeOptions.url },
    });
    throw new ApiError('FORBIDDEN', 'this route is for administrators');
  }
  if (
    principal.via === 'token' &&
    principal.passwordChangeRequired &&
    config.allowPendingPasswordChange !== true
  ) {
    throw new ApiError(
      'PASSWORD_CHANGE_REQUIRED',
      'change your password first (POST /api/auth/password)',
    );
  }
  request.principal = principal;
}

/**
 * Installs policy collection (call before any route is registered) and enforcement. Returns the
 * list of routes with their declared policies, which the route-policy test walks.
 */
export function installAccessControl(app: ExchangeApp, deps: AccessDeps): RoutePolicy[] {
  const policies: RoutePolicy[] = [];
  app.decorateRequest('principal', null);
  app.decorateRequest('rawBody', undefined);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      policies.push({ method, url: route.url, access: route.config?.access });
  });
  app.addHook('onReady', () => {
    const missing = policies.filter((p) => p.access === undefined && p.method !== 'HEAD');
    if (missing.length > 0) {
      const names = missing.map((p) => `${p.method} ${p.url}`).join(', ');
      return Promise.reject(new Error(`routes without an access policy: ${names}`));
    }
    return Promise.resolve();
  });
  // Before validation: a caller without the right credentials learns nothing about the schema.
  app.addHook('preValidation', (request, reply) => enforce(request, reply, deps));

  // Signed requests hash the body exactly as sent, so keep it beside the parsed JSON.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    void parseJson(request, text, done);
  });
  return policies;
}
