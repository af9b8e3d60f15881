// The composition root: builds one isolated exchange application from its dependencies. No
// module-level state, so tests can build as many as they need.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.ts';
import type { KeyMaterial } from './store/key-files.ts';
import type { Logger } from './logging.ts';
import type { Store } from './store/db.ts';
import './http/access.ts';
import type { ExchangeApp } from './http/exchange-app.ts';
import { registerErrorHandler } from './http/plugins/error-handler.ts';
import { healthRoutes } from './http/routes/health.ts';
import { homeRoutes } from './http/routes/home.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  keys: KeyMaterial;
  logger?: Logger;
  now?: () => number;
}

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const BODY_LIMIT_BYTES = 64 * 1024;

export async function buildApp(deps: AppDeps): Promise<ExchangeApp> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }),
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandler(app);

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
    strictTransportSecurity: false,
  });
  await app.register(cors, {
    origin: deps.config.allowedOrigins.length === 0 ? false : deps.config.allowedOrigins,
    credentials: true,
  });

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
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, access: 'public' };
  });

  await app.register(healthRoutes, { store: deps.store, version: VERSION, startedAt, now });
  await app.register(homeRoutes);
  return app;
}
