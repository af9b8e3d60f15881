// GET /: a plain landing page until the trading terminal is served here.

import type { FastifyPluginAsync } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Secure Stock Exchange</title>
<style>
  body { background: #0b0e14; color: #d6deeb; font: 16px/1.5 system-ui, sans-serif; margin: 0; }
  main { max-width: 40rem; margin: 4rem auto; padding: 0 1.5rem; }
  h1 { font-size: 1.6rem; color: #e6edf3; }
  a { color: #58a6ff; }
  code { background: #161b22; padding: 0.1rem 0.35rem; border-radius: 4px; }
</style>
</head>
<body>
<main>
  <h1>Secure Stock Exchange</h1>
  <p>The exchange is running. The trading terminal will be served on this page.</p>
  <p>Meanwhile: <a href="/api/health">service health</a> and the <a href="/docs">API reference</a>.</p>
</main>
</body>
</html>
`;

export const homeRoutes: FastifyPluginAsync = (app) => {
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
  return Promise.resolve();
};
