// Every route declares who may call it. The declaration lives in the route's `config.access`,
// and a test walks the registered routes to prove none is missing.

export type ApiKeyScope = 'read' | 'trade';

/** `user` also admits admins; `apiKey` admits a signed request with that scope, or a user token. */
export type AccessPolicy = 'public' | 'user' | 'admin' | { apiKey: ApiKeyScope };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessPolicy;
  }
}
