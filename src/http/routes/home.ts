// The trading terminal: the built web app (web/dist) at `/`, and index.html for any other page
// path so the client's router can take it. /api, /ws, /docs and /metrics never fall back: an
// unknown path there is the API's JSON 404.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { ApiError } from '../../errors.ts';

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const NOT_PAGES = /^\/(api|ws|docs|metrics)(\/|$)/;
/** A path that names a file (has an extension) is served or 404s; it is never a page. */
const FILE_PATH = /\/[^/]*\.[A-Za-z0-9]+$/;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Secure Stock Exchange</title></head>
<body><h1>Secure Stock Exchange</h1>
<p>The exchange is running, but the trading terminal is not built: run <code>npm run build:web</code>.
The API reference is at <a href="/docs">/docs</a>.</p></body></html>
`;

export const homeRoutes: FastifyPluginAsync<{ root?: string }> = async (app, options) => {
  const root = options.root ?? WEB_DIST;
  const built = existsSync(`${root}/index.html`);
  if (built) {
    // Serves files through reply.sendFile only: the routes below decide what is a page.
    await app.register(fastifyStatic, { root, serve: false, index: false });
  }

  const page = (reply: FastifyReply) => {
    if (!built) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply
      .header('cache-control', 'no-cache')
      .sendFile('index.html', { cacheControl: false });
  };

  const route = {
    config: { access: 'public', rateClass: 'account' },
    schema: { hide: true },
  } as const;
  app.get('/', route, (_request, reply) => page(reply));

  app.get('/*', route, (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (NOT_PAGES.test(path)) throw new ApiError('NOT_FOUND', `no route for GET ${path}`);
    if (!FILE_PATH.test(path)) return page(reply);
    if (!built) throw new ApiError('NOT_FOUND', `no file ${path}`);
    // Vite names built assets by content hash, so they never change under one name.
    const immutable = path.startsWith('/assets/');
    return reply.sendFile(path.slice(1), {
      maxAge: immutable ? 31_536_000_000 : 0,
      immutable,
    });
  });
};
