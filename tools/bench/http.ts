// `npm run bench:http [-- --json] [-- --seconds N]`: durable order throughput over HTTP.
//
// Starts the exchange as a child process on a fresh SQLite data directory (simulator off),
// funds a buyer and a seller, then drives POST /api/trading/order with autocannon on loopback:
// buys and sells around the mid, so most orders trade and some rest. Every 201 is an order
// whose effects are durable (the reply waits for the journal). In the same run it measures a
// bare Fastify route (no auth, no database) as the baseline, and prints the ratio.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import Fastify from 'fastify';
import { freePort, postJson, startExchange, takeOverAdmin } from '../exchange-process.ts';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 10) || 10;
const CONNECTIONS = 64;
const ADMIN_PASSWORD = 'benchmark operator passphrase';

function log(text: string): void {
  if (!asJson) process.stderr.write(text + '\n');
}

function startBenchExchange(dir: string, port: number): Promise<ChildProcess> {
  return startExchange(port, {
    DATA_DIR: join(dir, 'data'),
    ADMIN_PASSWORD,
    // The benchmark measures the order path, not the rate limiter's refusals.
    API_RATE_LIMIT: '100000000',
    API_BURST_LIMIT: '1000000',
  });
}

/** POSTs JSON and answers the reply body; any refusal is an error, the setup cannot go on. */
async function post(
  base: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<Record<string, unknown>> {
  const reply = await postJson(base, path, body, token);
  if (reply.status >= 400)
    throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

async function prepareTraders(base: string): Promise<{ buyer: string; seller: string }> {
  const admin = await takeOverAdmin(base, ADMIN_PASSWORD, 'benchmark operator, changed');
  const tokens: Record<string, string> = {};
  for (const name of ['bench-buyer', 'bench-seller']) {
    const password = 'benchmark trader passphrase';
    const { user_id } = await post(base, '/api/auth/register', {
      username: name,
      email: `${name}@example.com`,
      password,
      full_name: name,
    });
    const asset = name === 'bench-buyer' ? 'INR' : 'TCS';
    const amount = name === 'bench-buyer' ? '10000000000' : '10000000';
    await post(
      base,
      `/api/admin/users/${String(user_id)}/adjust`,
      { asset, amount, reason: 'benchmark funding' },
      admin,
    );
    tokens[name] = (await post(base, '/api/auth/login', { username: name, password }))
      .access_token as string;
  }
  return { buyer: tokens['bench-buyer'] ?? '', seller: tokens['bench-seller'] ?? '' };
}

interface Figures {
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
}

function figures(result: Result): Figures {
  return {
    requestsPerSecond: Math.round(result.requests.average),
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** Order bodies: alternating buy/sell, prices a few ticks either side of 4105.00. */
function orderRequests(tokens: { buyer: string; seller: string }): autocannon.Request[] {
  const requests: autocannon.Request[] = [];
  for (let i = 0; i < 64; i++) {
    const side = i % 2 === 0 ? 'BUY' : 'SELL';
    const offset = ((i * 7) % 5) - 2;
    const price = (4105 + offset * 0.05).toFixed(2);
    requests.push({
      method: 'POST',
      path: '/api/trading/order',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${side === 'BUY' ? tokens.buyer : tokens.seller}`,
      },
      body: JSON.stringify({
        symbol: 'TCS',
        order_type: side,
        order_mode: 'LIMIT',
        quantity: 1 + (i % 3),
        price,
      }),
    });
  }
  return requests;
}

async function load(
  url: string,
  requests: autocannon.Request[] | undefined,
  rate?: number,
): Promise<Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    ...(requests === undefined ? {} : { requests }),
    ...(rate === undefined ? {} : { overallRate: rate }),
  });
}

async function bareBaseline(): Promise<{ full: Figures }> {
  const app = Fastify({ logger: false });
  app.post('/bare', () => ({ success: true, order_id: 1, status: 'OPEN' }));
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  const request: autocannon.Request = {
    method: 'POST',
    path: '/bare',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      symbol: 'TCS',
      order_type: 'BUY',
      order_mode: 'LIMIT',
      quantity: 1,
      price: '4105.00',
    }),
  };
  const full = figures(await load(`http://127.0.0.1:${port}`, [request]));
  await app.close();
  return { full };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-http-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  try {
    log(`starting the exchange on ${base} (SQLite, ${dir})`);
    child = await startBenchExchange(dir, port);
    const tokens = await prepareTraders(base);
    const requests = orderRequests(tokens);
    log(`full load: ${CONNECTIONS} connections for ${seconds} s`);
    const full = figures(await load(base, requests));
    const halfRate = Math.max(1, Math.round(full.requestsPerSecond / 2));
    log(`half load: ${halfRate} orders/s for ${seconds} s`);
    const half = figures(await load(base, requests, halfRate));
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));
    child = undefined;
    log(`baseline: bare Fastify route, ${CONNECTIONS} connections for ${seconds} s`);
    const bare = await bareBaseline();
    const report = {
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      seconds,
      connections: CONNECTIONS,
      orders: { full, half },
      bare: bare.full,
      ratioToBare: Number((full.requestsPerSecond / bare.full.requestsPerSecond).toFixed(3)),
    };
    if (asJson) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return;
    }
    const row = (name: string, f: Figures) =>
      `${name.padEnd(28)}${String(f.requestsPerSecond).padStart(10)}${f.p50.toFixed(1).padStart(10)}${f.p99.toFixed(1).padStart(10)}${String(f.non2xx).padStart(8)}`;
    process.stdout.write(
      [
        `${'run'.padEnd(28)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'non2xx'.padStart(8)}`,
        row('orders, full load (durable)', full),
        row('orders, half load', half),
        row('bare Fastify route', bare.full),
        `orders / bare route: ${(report.ratioToBare * 100).toFixed(1)}%`,
      ].join('\n') + '\n',
    );
  } finally {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
