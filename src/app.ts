// The composition root: builds one isolated exchange application from its dependencies. No
// module-level state, so tests can build as many as they need.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import helmet from '@fastify/helmet';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { TlsServerOptions } from './tls.ts';
import type { Identity } from './auth/index.ts';
import { AccessTokens } from './auth/access-tokens.ts';
import { Accounts } from './auth/accounts.ts';
import { ApiKeys } from './auth/api-keys.ts';
import { Mfa } from './auth/mfa.ts';
import { PasswordHasher } from './auth/password.ts';
import { Sessions } from './auth/sessions.ts';
import { AuditLog } from './audit/log.ts';
import type { Keyring } from './crypto/keyring.ts';
import { openReplayCache } from './defense/replay-cache.ts';
import { SecurityEvents } from './defense/security-events.ts';
import { trustedProxies } from './defense/client-ip.ts';
import { AddressBlocks } from './defense/address-blocks.ts';
import { Guard } from './defense/guard.ts';
import { openAttackHits } from './defense/attack-hits.ts';
import type { IpBlocks } from './defense/ip-blocks.ts';
import { openIpBlocks } from './defense/shared-ip-blocks.ts';
import { RateLimits } from './defense/rate-limits.ts';
import { installDefense, userAllowance } from './http/plugins/defense.ts';
import { securityRoutes } from './http/routes/security.ts';
import { Redis } from 'ioredis';
import { installAccessControl, type RoutePolicy } from './http/access.ts';
import type { ExchangeApp } from './http/exchange-app.ts';
import { frameworkError, registerErrorHandler } from './http/plugins/error-handler.ts';
import { adminRoutes } from './http/routes/admin.ts';
import { accountEventRoutes } from './http/routes/account-events.ts';
import { apiKeyRoutes } from './http/routes/api-keys.ts';
import { auditRoutes } from './http/routes/audit.ts';
import { cryptoRoutes } from './http/routes/crypto.ts';
import { authRoutes } from './http/routes/auth.ts';
import { healthRoutes } from './http/routes/health.ts';
import { homeRoutes } from './http/routes/home.ts';
import { marketRoutes } from './http/routes/market.ts';
import { keyRoutes } from './http/routes/keys.ts';
import { mfaRoutes } from './http/routes/mfa.ts';
import { systemRoutes } from './http/routes/system.ts';
import { tradingRoutes } from './http/routes/trading.ts';
import { websocketRoutes } from './http/ws/index.ts';
import type { KeyRotation } from './keys/rotation.ts';
import { LocalMarketView } from './market/local-market-view.ts';
import { openSecurityBus } from './cluster/security-bus.ts';
import type { MarketView } from './market/market-view.ts';
import type { NodeRecord } from './cluster/node-registry.ts';
import { installValidation } from './http/plugins/validation.ts';
import type { Venue } from './exchange/venue.ts';
import { startLeaderDuties } from './cluster/leader-duties.ts';
import { LocalCommands, unwrap, type TradingCommands } from './cluster/commands.ts';
import { CommandIntake } from './cluster/intake.ts';
import { RemoteCommands } from './cluster/remote-commands.ts';
import type { ClusterView } from './cluster/role.ts';
import { clusterKey } from './cluster/wire.ts';
import { internalRoutes } from './http/routes/internal.ts';
import type { Store } from './store/db.ts';
import type { KeyMaterial } from './store/key-files.ts';
import { ApiKeysRepo } from './store/api-keys.repo.ts';
import { AuditRepo } from './store/audit.repo.ts';
import { IpBlocksRepo } from './store/ip-blocks.repo.ts';
import { MfaRepo } from './store/mfa.repo.ts';
import { SecurityEventsRepo } from './store/security-events.repo.ts';
import { SessionsRepo } from './store/sessions.repo.ts';
import { UsersRepo } from './store/users.repo.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  keys: KeyMaterial;
  keyring: Keyring;
  logger?: Logger;
  securityLog?: Logger;
  now?: () => number;
  /** Namespaces rate-limit keys in Redis (tests run several apps on one Redis). */
  redisPrefix?: string;
  /** Tests pass cheaper argon2 parameters; production uses the defaults. */
  hasher?: PasswordHasher;
  /** Serve HTTPS with this certificate (see loadTls) and send HSTS; plain HTTP without. */
  https?: TlsServerOptions;
  /**
   * This node's place in a cluster: trading commands then go to the leader it names, and the
   * internal command endpoint takes them from the other nodes. Without it, the node is alone:
   * commands run on its own venue and there is no internal endpoint. /api/health shows it.
   */
  cluster?: (ClusterView & { fencedReason?: string | undefined }) | undefined;
  /**
   * Cluster mode: what the WebSocket channels and market routes read (the read model the
   * leader's committed events feed, see cluster/read-model.ts); by default this node's own
   * sequencer. The app does not close it.
   */
  marketView?: MarketView;
  /**
   * Cluster mode: share the security events this node stores with the other nodes through
   * Redis, and show theirs on this node's /ws/security (see cluster/security-bus.ts).
   */
  securityPeers?: { redis: Redis; prefix: string; nodeId: string };
  /** Cluster mode: every node's report, for GET /api/system/stats. */
  nodes?: () => Promise<NodeRecord[]>;
}

export interface Exchange {
  app: ExchangeApp;
  identity: Identity;
  venue: Venue;
  /** Where the routes send trading commands: this venue, or the cluster's leader. */
  commands: TradingCommands;
  audit: AuditLog;
  routePolicies: readonly RoutePolicy[];
  /** Data key rotation and re-encryption, running in the background while the app is open. */
  keyRotation: KeyRotation;
  /** Manual IP blocks, for the HTTP routes and the operator's control socket. */
  blocking: AddressBlocks;
}

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const BODY_LIMIT_BYTES = 64 * 1024;
const SESSION_SWEEP_MS = 60_000;

async function buildIdentity(
  deps: AppDeps,
  events: SecurityEvents,
  commands: TradingCommands,
  redis: Redis | undefined,
  now: () => number,
): Promise<Identity> {
  const { config, store, keys, keyring } = deps;
  const db = store.db;
  const users = new UsersRepo(db);
  const tokens = await AccessTokens.create(
    [keys.signing, ...keys.retiredSigning],
    config.accessTokenExpireMinutes * 60,
    now,
  );
  const sessions = new Sessions(
    new SessionsRepo(db),
    tokens,
    events,
    {
      refreshTokenLifetimeMs: config.refreshTokenExpireDays * 86_400_000,
      idleTimeoutMs: config.sessionTimeoutMinutes * 60_000,
    },
    keyring.derivedKey('refresh-token-successor'),
    now,
  );
  const mfa = new Mfa(users, new MfaRepo(db), keyring, events, config.appName, now);
  // Recovery codes an older version stored as bare SHA-256 get their keyed hash before anything
  // reads them.
  await mfa.sealStoredRecoveryCodes();
  const replayWindowMs = config.replayWindowSeconds * 1000;
  const apiKeys = new ApiKeys(
    new ApiKeysRepo(db),
    users,
    // Shared by the nodes of a cluster: a nonce one node accepted is a replay on every other.
    openReplayCache({
      perKey: config.noncesPerKey,
      windowMs: replayWindowMs,
      redis,
      prefix: deps.redisPrefix ?? deps.config.redisPrefix,
    }),
    events,
    replayWindowMs,
    now,
  );
  const accounts = new Accounts(
    db,
    keyring,
    deps.hasher ?? new PasswordHasher(),
    sessions,
    mfa,
    apiKeys,
    events,
    {
      passwordMinLength: config.passwordMinLength,
      startingBalance: config.startingBalance,
      open: async (userId, cash) => {
        unwrap(await commands.execute({ kind: 'open-account', userId, cash }));
      },
      openingEndsWithAnswer: deps.cluster === undefined,
    },
    now,
  );
  // A crash between a registration's two writes left these without their cash: they go.
  // Alone, no registration is in flight at startup; in a cluster, one may be on another node
  // until its command's deadline (see sweepUnopened).
  if (deps.cluster === undefined) {
    const discarded = await accounts.discardUnopened();
    if (discarded > 0) deps.logger?.warn({ discarded }, 'removed accounts a crash left unopened');
  }
  return { accounts, sessions, mfa, apiKeys, tokens };
}

/**
 * The request gate: rate limits, IP blocks and the IDS. With REDIS_URL set, limits, blocks and IDS
 * hit counts are the cluster's, in Redis, under one prefix.
 */
function buildDefense(
  deps: AppDeps,
  events: SecurityEvents,
  now: () => number,
): { guard: Guard; blocks: IpBlocks; redis: Redis | undefined } {
  const { config } = deps;
  const redis =
    config.redisUrl === undefined
      ? undefined
      : new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const prefix = deps.redisPrefix ?? deps.config.redisPrefix;
  const blocks = openIpBlocks({ redis, prefix, now, log: deps.logger });
  const limits = new RateLimits({
    apiRatePerMinute: config.apiRateLimit,
    apiBurst: config.apiBurstLimit,
    loginAttempts: config.loginRateLimit,
    loginWindowSeconds: config.loginTimewindowSeconds,
    bruteForceThreshold: config.bruteForceThreshold,
    wsUpgradesPerMinute: config.wsUpgradeRateLimit,
    redis,
    prefix,
  });
  const ids = {
    enabled: config.idsEnabled,
    action: config.idsAction,
  };
  const blockDurationMs = config.blockDurationMinutes * 60_000;
  const hits = openAttackHits({
    policy: { threshold: config.idsBlockAfter, windowMs: blockDurationMs },
    now,
    redis,
    prefix,
    log: deps.logger,
  });
  const guard = new Guard(limits, blocks, hits, events, blockDurationMs, ids, now);
  return { guard, blocks, redis };
}

/** Alone, commands run on this venue; in a cluster, at the leader, which takes them by intake. */
function buildCommands(
  deps: AppDeps,
  venue: Venue,
  now: () => number,
): { commands: TradingCommands; intake: CommandIntake | undefined } {
  const local = new LocalCommands(venue);
  const { cluster } = deps;
  if (cluster === undefined) return { commands: local, intake: undefined };
  const ttlMs = deps.config.clusterCommandTtlMs;
  const commands = new RemoteCommands({
    cluster,
    local,
    key: clusterKey(deps.keyring),
    ttlMs,
    now,
    log: deps.logger,
  });
  return { commands, intake: new CommandIntake({ cluster, local, ttlMs, now }) };
}

export async function buildExchange(deps: AppDeps): Promise<Exchange> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }),
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    frameworkErrors: frameworkError,
    // X-Forwarded-For is believed only from TRUSTED_PROXIES; by default from nobody.
    trustProxy: trustedProxies(deps.config.trustedProxies),
    // An https.Server is an http.Server too, so the instance keeps its type.
    ...(deps.https === undefined ? {} : { https: deps.https }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  const auditRepo = new AuditRepo(deps.store.db, deps.store.fence);
  const audit = await AuditLog.open({
    repo: auditRepo,
    key: deps.keys.audit,
    now,
    headIntervalMs: deps.config.auditHeadIntervalMs,
    headEveryLeaves: deps.config.auditHeadEveryLeaves,
    log: deps.logger,
  });
  const eventsRepo = new SecurityEventsRepo(deps.store.db, deps.store.fence);
  const events = new SecurityEvents(eventsRepo, audit, now, deps.securityLog);
  const { guard, blocks, redis } = buildDefense(deps, events, now);
  const blocking = new AddressBlocks(blocks, guard, new IpBlocksRepo(deps.store.db), events, now);
  // Stored blocks are put back now, and again whenever a reconnection reloads the shared ones.
  await blocks.open(async () => {
    const restored = await blocking.restore();
    if (restored > 0) deps.logger?.info({ restored }, 'manual IP blocks restored');
  });
  const duties = await startLeaderDuties({
    config: deps.config,
    store: deps.store,
    audit,
    events,
    keyring: deps.keyring,
    masterKey: deps.keys.masterKey,
    now,
    log: deps.logger,
  });
  const { venue, keyRotation } = duties;
  // Opened after the venue, whose own subscriber records trades into market data first.
  const localView = new LocalMarketView(venue.exchange, venue.marketData);
  const marketView = deps.marketView ?? localView;
  const peers =
    deps.securityPeers === undefined
      ? undefined
      : await openSecurityBus({ ...deps.securityPeers, events, log: deps.logger });
  const { commands, intake } = buildCommands(deps, venue, now);
  const identity = await buildIdentity(deps, events, commands, redis, now);
  // Revokes sessions past their idle or absolute timeout, so the database says which are live.
  const sessionSweep = setInterval(() => {
    identity.sessions.expireIdle().catch((err: unknown) => {
      deps.logger?.warn({ err }, 'could not expire idle sessions');
    });
  }, SESSION_SWEEP_MS);
  sessionSweep.unref();
  // In a cluster an account whose opening was never confirmed stays until no command can open
  // it any more (twice the command TTL); the leader then removes it, freeing the username.
  const unopenedSweep =
    deps.cluster === undefined
      ? undefined
      : setInterval(() => {
          const before = now() - 2 * deps.config.clusterCommandTtlMs;
          identity.accounts
            .discardUnopened(before)
            .then((discarded) => {
              if (discarded > 0)
                deps.logger?.warn({ discarded }, 'removed accounts whose opening never completed');
            })
            .catch((err: unknown) =>
              deps.logger?.warn({ err }, 'could not sweep unopened accounts'),
            );
        }, deps.config.clusterCommandTtlMs);
  unopenedSweep?.unref();
  // Stop the bots (withdrawing their quotes), then wait for the journal: nothing acknowledged
  // is left unwritten.
  app.addHook('onClose', async () => {
    clearInterval(sessionSweep);
    clearInterval(unopenedSweep);
    localView.close();
    await peers?.close();
    await duties.close();
    await audit.close();
    await blocks.close();
    redis?.disconnect();
  });

  registerErrorHandler(app);
  installValidation(app);
  // Routes that plugins add (the API reference, CORS preflight) are public and in the account
  // rate class; marked here since their plugins cannot declare it.
  app.addHook('onRoute', (route) => {
    const preflight = route.method === 'OPTIONS' && route.url === '*';
    if (route.url.startsWith('/docs') || preflight)
      route.config = { ...route.config, access: 'public', rateClass: 'account' };
  });
  const routePolicies = installAccessControl(app, {
    sessions: identity.sessions,
    apiKeys: identity.apiKeys,
    events,
    limitUser: userAllowance(guard),
  });
  installDefense(app, guard);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // HSTS only means something over TLS; sent when the exchange serves HTTPS itself.
    strictTransportSecurity:
      deps.https === undefined ? false : { maxAge: 31_536_000, includeSubDomains: true },
  });
  await app.register(cors, {
    origin: deps.config.allowedOrigins.length === 0 ? false : deps.config.allowedOrigins,
    credentials: true,
  });
  // The browser's refresh token and CSRF token (src/http/session-cookies.ts).
  await app.register(cookie);

  await app.register(swagger, {
    openapi: {
      info: { title: deps.config.appName, version: VERSION },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list' },
  });

  await app.register(healthRoutes, {
    store: deps.store,
    tradingStopped: () => venue.exchange.stoppedReason,
    version: VERSION,
    startedAt,
    now,
    cluster: deps.cluster,
  });
  await app.register(homeRoutes);
  await app.register(authRoutes, {
    identity,
    guard,
    cookies: {
      refreshLifetimeSeconds: deps.config.refreshTokenExpireDays * 86_400,
      allowedOrigins: deps.config.allowedOrigins,
    },
  });
  await app.register(mfaRoutes, { identity });
  await app.register(apiKeyRoutes, { identity, guard });
  await app.register(accountEventRoutes, { repo: eventsRepo });
  await app.register(adminRoutes, { identity, venue, commands });
  await app.register(keyRoutes, { rotation: keyRotation, audit });
  await app.register(securityRoutes, { repo: eventsRepo, blocks, blocking, now });
  const { config } = deps;
  const rules = {
    makerFeeBps: config.makerFeeBps,
    takerFeeBps: config.takerFeeBps,
    marketCollarBps: config.marketCollarBps,
    priceBandBps: config.priceBandBps,
  };
  await app.register(marketRoutes, { market: marketView, rules });
  const { exchange } = venue;
  const sequencer = {
    matching: () => exchange.matching.summary(),
    openOrders: () => exchange.openOrders().length,
    tradingAvailable: () => exchange.stoppedReason === undefined,
  };
  await app.register(systemRoutes, {
    market: marketView,
    sequencer,
    startedAt,
    now,
    nodes: deps.nodes,
  });
  await app.register(tradingRoutes, { venue, commands });
  if (intake !== undefined)
    await app.register(internalRoutes, { intake, key: clusterKey(deps.keyring), now });
  await app.register(cryptoRoutes, {
    keys: { signing: deps.keys.cryptoApi, rsa: deps.keys.rsa },
    keyring: deps.keyring,
    audit,
  });
  await app.register(auditRoutes, { audit, repo: auditRepo });
  await app.register(websocketRoutes, {
    market: marketView,
    identity,
    config: {
      wsMaxConnections: config.wsMaxConnections,
      wsMaxConnectionsPerIp: config.wsMaxConnectionsPerIp,
      wsMaxConnectionsPerUser: config.wsMaxConnectionsPerUser,
      wsHeartbeatIntervalSeconds: config.wsHeartbeatIntervalSeconds,
    },
    security: { events, repo: eventsRepo, blocks, others: peers },
    upgrades: (address) => guard.upgrade(address),
    now,
  });
  return { app, identity, venue, commands, audit, routePolicies, keyRotation, blocking };
}
