// `npm run sqlmap`: runs sqlmap (Debian package) against login, register, the order endpoint
// and the market endpoints of a freshly started exchange on loopback, with the IDS off so every
// payload reaches the database layer. Passes only if sqlmap finds nothing injectable.

import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, postJson, startExchange } from '../exchange-process.ts';

const PASSWORD = 'sqlmap scan passphrase';

interface Target {
  name: string;
  args: string[];
}

function startServer(dir: string, port: number): Promise<ChildProcess> {
  return startExchange(port, {
    DATA_DIR: join(dir, 'data'),
    // The scan tests the queries, not the filters in front of them.
    IDS_ENABLED: 'false',
    API_RATE_LIMIT: '100000000',
    LOGIN_RATE_LIMIT: '1000000',
    BRUTE_FORCE_THRESHOLD: '1000000',
  });
}

async function token(base: string): Promise<string> {
  const account = { username: 'scanner', password: PASSWORD };
  const registered = await postJson(base, '/api/auth/register', {
    ...account,
    email: 'scanner@example.com',
    full_name: 'Scanner',
  });
  const login = await postJson(base, '/api/auth/login', account);
  if (registered.status !== 201 || typeof login.body.access_token !== 'string') {
    throw new Error(`could not sign the scanner in: ${login.status} ${JSON.stringify(login.body)}`);
  }
  return login.body.access_token;
}

function targets(base: string, bearer: string): Target[] {
  const json = ['--headers', 'Content-Type: application/json'];
  return [
    {
      name: 'login',
      args: [
        '-u',
        `${base}/api/auth/login`,
        '--method',
        'POST',
        ...json,
        '--data',
        `{"username":"scanner*","password":"${PASSWORD}*"}`,
      ],
    },
    {
      name: 'register',
      args: [
        '-u',
        `${base}/api/auth/register`,
        '--method',
        'POST',
        ...json,
        '--data',
        '{"username":"probe*","email":"probe@example.com","password":"a long enough passphrase","full_name":"Probe*"}',
      ],
    },
    {
      name: 'order',
      args: [
        '-u',
        `${base}/api/trading/order`,
        '--method',
        'POST',
        '--headers',
        `Content-Type: application/json\nAuthorization: Bearer ${bearer}`,
        '--data',
        '{"symbol":"TCS*","order_type":"BUY","order_mode":"LIMIT","quantity":1,"price":"4100.00","client_order_id":"scan*"}',
      ],
    },
    { name: 'market', args: ['-u', `${base}/api/market/stock/TCS*/orderbook?depth=5*`] },
    {
      name: 'orders list',
      args: [
        '-u',
        `${base}/api/trading/orders?status=OPEN*&symbol=TCS*`,
        '--headers',
        `Authorization: Bearer ${bearer}`,
      ],
    },
  ];
}

type Verdict = 'not injectable' | 'INJECTABLE' | 'INCONCLUSIVE';

function scan(target: Target, outputDir: string): { verdict: Verdict; summary: string } {
  const result = spawnSync(
    'sqlmap',
    [
      ...target.args,
      '--batch',
      '--level',
      '2',
      '--risk',
      '1',
      '--time-sec',
      '2',
      '--timeout',
      '10',
      '--retries',
      '1',
      '--flush-session',
      // Refusals are answers too: wrong credentials, bad input, taken names, business rules.
      '--ignore-code',
      '400,401,404,409,422',
      '--disable-coloring',
      '--output-dir',
      outputDir,
    ],
    { encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const out = `${result.stdout}\n${result.stderr}`;
  if (result.error !== undefined) throw result.error;
  // sqlmap says one of these two at the end of every completed scan of a target.
  const verdict: Verdict = /identified the following injection point/i.test(out)
    ? 'INJECTABLE'
    : /all tested parameters do not appear to be injectable/i.test(out)
      ? 'not injectable'
      : 'INCONCLUSIVE';
  const summary =
    out
      .split('\n')
      .filter((l) => /injectable|injection point|ERROR|CRITICAL/i.test(l))
      .slice(-4)
      .join(' | ')
      .trim() || 'no verdict line';
  return { verdict, summary };
}

async function main(): Promise<number> {
  if (spawnSync('sqlmap', ['--version'], { encoding: 'utf8' }).error !== undefined) {
    process.stderr.write('sqlmap is not installed (apt-get install -y sqlmap)\n');
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sse-sqlmap-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  try {
    server = await startServer(dir, port);
    const bearer = await token(base);
    let failed = false;
    for (const target of targets(base, bearer)) {
      const started = Date.now();
      const { verdict, summary } = scan(target, join(dir, 'sqlmap'));
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      process.stdout.write(`${target.name.padEnd(12)} ${verdict.padEnd(15)} (${seconds} s)\n`);
      if (verdict !== 'not injectable') process.stdout.write(`  ${summary}\n`);
      failed ||= verdict !== 'not injectable';
    }
    const health = await fetch(`${base}/api/health`);
    process.stdout.write(`server after the scan: ${health.status}\n`);
    return failed || !health.ok ? 1 : 0;
  } finally {
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exit(await main());
