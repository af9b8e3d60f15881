// The security event API for administrators: the report (JSON and spreadsheet-safe CSV) over a
// bounded range, the live /ws/security feed with its admin-only access and filters, and events
// that cannot carry control characters from attacker input into the log or the API.

import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LocalIpBlocks } from '../src/defense/ip-blocks.ts';
import { SecurityEvents, type RecordedSecurityEvent } from '../src/defense/security-events.ts';
import { csvCell } from '../src/http/csv.ts';
import { REPORT_CSV_HEADER, reportCsv } from '../src/http/routes/security.ts';
import { Connection, type ClientSocket } from '../src/http/ws/connection.ts';
import { Feed } from '../src/http/ws/feed.ts';
import { SecuritySession } from '../src/http/ws/security-channel.ts';
import { SecurityEventsRepo } from '../src/store/security-events.repo.ts';
import type { SecurityEventRow } from '../src/store/schema.ts';
import { LocalMarketView } from '../src/market/local-market-view.ts';
import { call as callApi, login, signUp, type Request } from './support/api.ts';
import { openTestApp, type TestApp } from './support/app.ts';
import { storeFactories } from './support/stores.ts';
import { Client, until, type Message } from './support/ws-client.ts';

/** A client of /ws/security that can list the live events it received. */
class SecurityClient extends Client {
  events(): RecordedSecurityEvent[] {
    return this.of('security_event').map((m) => m.event as RecordedSecurityEvent);
  }
}

const sqliteFactory = storeFactories()[0];
if (sqliteFactory === undefined) throw new Error('no SQLite factory');
const sqlite = sqliteFactory;

const ADMIN_IP = '198.51.100.2';
const USER_IP = '198.51.100.3';
const FORMULA = '=HYPERLINK("http://evil.example/","open me")';
/** Spreadsheets run a cell that starts with one of these as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Requests come from an outside address unless a test names another. */
const OUTSIDE = '203.0.113.10';

function call(t: TestApp, method: 'GET' | 'POST', url: string, request: Request = {}) {
  return callApi(t, method, url, { ip: OUTSIDE, ...request });
}

function reportUrl(from: number, to: number, format?: string): string {
  const query = new URLSearchParams({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
  if (format !== undefined) query.set('format', format);
  return `/api/security/report?${query.toString()}`;
}

/** RFC 4180 rows; cells as they would appear in a spreadsheet (quotes removed). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  expect(quoted).toBe(false);
  expect(cell).toBe('');
  return rows;
}

/** A test client: records every message and how the socket closed. */
/** A promise settled from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A repository whose `page` waits before and after it reads, until the test lets it go on. */
class HeldRepo extends SecurityEventsRepo {
  readonly beforeRead = deferred();
  readonly read = deferred();
  readonly afterRead = deferred();

  override async page(
    filter: Parameters<SecurityEventsRepo['page']>[0],
  ): Promise<SecurityEventRow[]> {
    await this.beforeRead.promise;
    const rows = await super.page(filter);
    this.read.resolve();
    await this.afterRead.promise;
    return rows;
  }
}

describe('security event API', () => {
  let t: TestApp | undefined;
  const clients: SecurityClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.terminate();
    await t?.close();
    t = undefined;
  });

  async function open(env: Record<string, string> = {}): Promise<TestApp> {
    t = await openTestApp(sqlite, env);
    return t;
  }

  async function connect(app: TestApp, protocols?: string[]): Promise<SecurityClient> {
    const port = (app.app.server.address() as AddressInfo).port;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/security`, protocols);
    const client = new SecurityClient(socket);
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return client;
  }

  describe('GET /api/security/report', () => {
    it('counts the events of the range by type, severity and address, and lists them newest first', async () => {
      // Tight limits, so a few requests from one address breach them.
      const app = await open({ API_RATE_LIMIT: '2', API_BURST_LIMIT: '1' });
      const admin = (await signUp(app, 'secops', { ip: ADMIN_IP, admin: true })).token;
      const from = Date.now() - 60_000;

      expect(
        (await login(app, 'nobody', { password: 'wrong password', ip: '203.0.113.7' })).status,
      ).toBe(401);
      expect(
        (await login(app, 'nobody', { password: 'wrong again', ip: '203.0.113.7' })).status,
      ).toBe(401);
      expect((await login(app, FORMULA, { password: 'x', ip: '203.0.113.9' })).status).toBe(401);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await call(app, 'GET', '/api/auth/me', { ip: '203.0.113.8' })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const to = Date.now() + 60_000;

      const res = await call(app, 'GET', reportUrl(from, to), { ip: ADMIN_IP, token: admin });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        total: 4,
        by_type: { authn_login_fail: 3, excess_rate_limit_exceeded: 1 },
        by_severity: { LOW: 3, MEDIUM: 1, HIGH: 0, CRITICAL: 0 },
        top_sources: [
          { source_ip: '203.0.113.7', count: 2 },
          { source_ip: '203.0.113.8', count: 1 },
          { source_ip: '203.0.113.9', count: 1 },
        ],
        truncated: false,
      });
      expect(Object.keys(res.body.by_type as object)).toHaveLength(2);
      const events = res.body.events as RecordedSecurityEvent[];
      expect(events.map((e) => e.event_type)).toEqual([
        'excess_rate_limit_exceeded',
        'authn_login_fail',
        'authn_login_fail',
        'authn_login_fail',
      ]);
      const ids = events.map((e) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(events[1]).toMatchObject({
        severity: 'LOW',
        source_ip: '203.0.113.9',
        details: { username: FORMULA },
      });
      expect(Date.parse(events[1]?.timestamp ?? '')).toBeGreaterThanOrEqual(from);

      // A range that ends before the events holds none of them.
      const before = await call(app, 'GET', reportUrl(from - 3_600_000, from), {
        ip: ADMIN_IP,
        token: admin,
      });
      expect(before.body).toMatchObject({ total: 0, events: [], top_sources: [], by_type: {} });
    });

    it('exports CSV with a header, one row per event, and formulas made inert', async () => {
      const app = await open();
      const admin = (await signUp(app, 'secops', { ip: ADMIN_IP, admin: true })).token;
      const from = Date.now() - 60_000;
      expect((await login(app, FORMULA, { password: 'x', ip: '203.0.113.9' })).status).toBe(401);
      expect((await login(app, 'nobody', { password: 'wrong', ip: '203.0.113.7' })).status).toBe(
        401,
      );
      const to = Date.now() + 60_000;

      const res = await call(app, 'GET', reportUrl(from, to, 'csv'), {
        ip: ADMIN_IP,
        token: admin,
        text: true,
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        /^attachment; filename="security-report-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv"$/,
      );
      expect(res.text.split('\r\n')[0]).toBe(REPORT_CSV_HEADER);
      const [header, ...rows] = parseCsv(res.text);
      expect(header).toEqual(REPORT_CSV_HEADER.split(','));
      expect(rows).toHaveLength(2);
      const [newest, oldest] = rows;
      expect(newest?.slice(2, 6)).toEqual(['authn_login_fail', 'LOW', '203.0.113.7', '']);
      expect(oldest?.slice(4)).toEqual([
        '203.0.113.9',
        '',
        'a login failed',
        JSON.stringify({ username: FORMULA }),
      ]);
      for (const row of rows) {
        expect(row).toHaveLength(8);
        for (const cell of row) expect(cell).not.toMatch(FORMULA_START);
      }
    });

    it('neutralizes every cell a spreadsheet would run, and quotes what CSV needs quoted', () => {
      expect(csvCell('=1+1')).toBe(`"'=1+1"`);
      expect(csvCell('+1')).toBe(`"'+1"`);
      expect(csvCell('-2+3')).toBe(`"'-2+3"`);
      expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
      expect(csvCell('\t=1')).toBe(`"'\t=1"`);
      expect(csvCell('\r=1')).toBe(`"'\r=1"`);
      expect(csvCell(FORMULA)).toBe(`"'=HYPERLINK(""http://evil.example/"",""open me"")"`);
      expect(csvCell('a, "b"\nc')).toBe(`"a, ""b""\nc"`);
      expect(csvCell(42)).toBe('"42"');
      expect(csvCell(null)).toBe('""');

      const event: RecordedSecurityEvent = {
        id: 7,
        event_type: 'authn_login_fail',
        severity: 'LOW',
        source_ip: '@evil',
        user_id: null,
        description: "=cmd|' /C calc'!A0",
        details: { username: '-1+1' },
        timestamp: '2026-11-22T12:00:00.000Z',
      };
      const [, row] = parseCsv(reportCsv([event]));
      expect(row).toEqual([
        '7',
        '2026-11-22T12:00:00.000Z',
        'authn_login_fail',
        'LOW',
        "'@evil",
        '',
        "'=cmd|' /C calc'!A0",
        '{"username":"-1+1"}',
      ]);
    });

    it('without from covers the 24 hours before to, and to defaults to now', async () => {
      const T = Date.UTC(2026, 11, 3, 12);
      const hour = 3_600_000;
      let clock = T;
      t = await openTestApp(sqlite, {}, { now: () => clock });
      const app = t;
      const admin = (await signUp(app, 'secops', { ip: ADMIN_IP, admin: true })).token;
      for (const [ago, ip] of [
        [25, '203.0.113.25'],
        [23, '203.0.113.23'],
      ] as const) {
        clock = T - ago * hour;
        expect((await login(app, 'nobody', { password: 'wrong', ip })).status).toBe(401);
      }
      clock = T;
      const report = async (query: string) =>
        (await call(app, 'GET', `/api/security/report${query}`, { ip: ADMIN_IP, token: admin }))
          .body;
      const iso = (ms: number) => new Date(ms).toISOString();
      expect(await report('')).toMatchObject({
        from: iso(T - 24 * hour),
        to: iso(T),
        total: 1,
        top_sources: [{ source_ip: '203.0.113.23', count: 1 }],
      });
      expect(await report(`?to=${iso(T - 22 * hour)}`)).toMatchObject({
        from: iso(T - 46 * hour),
        to: iso(T - 22 * hour),
        total: 2,
      });
      expect(await report(`?from=${iso(T - 26 * hour)}`)).toMatchObject({
        from: iso(T - 26 * hour),
        to: iso(T),
        total: 2,
      });
    });

    it('refuses bad ranges with 400, non-admins with 403 and strangers with 401', async () => {
      const app = await open();
      const admin = (await signUp(app, 'secops', { ip: ADMIN_IP, admin: true })).token;
      const user = (await signUp(app, 'someone', { ip: USER_IP })).token;
      const now = Date.now();
      const day = 86_400_000;
      const iso = (ms: number) => new Date(ms).toISOString();
      const bad: [string, RegExp][] = [
        [`/api/security/report?from=yesterday&to=${iso(now)}`, /from/],
        [`/api/security/report?from=${iso(now - day)}&to=today`, /to/],
        [`/api/security/report?from=${iso(now + day)}`, /from must be before/],
        [reportUrl(now, now), /from must be before/],
        [reportUrl(now, now - day), /from must be before/],
        [reportUrl(now - 32 * day, now), /at most 31 days/],
        [reportUrl(now - day, now, 'xml'), /format/],
      ];
      for (const [url, message] of bad) {
        const res = await call(app, 'GET', url, { ip: ADMIN_IP, token: admin });
        expect(res.status, url).toBe(400);
        const error = res.body.error as { code: string; message: string };
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(error.message).toMatch(message);
      }
      const month = await call(app, 'GET', reportUrl(now - 31 * day, now), {
        ip: ADMIN_IP,
        token: admin,
      });
      expect(month.status).toBe(200);

      const url = reportUrl(now - day, now);
      expect((await call(app, 'GET', url, { ip: USER_IP, token: user })).status).toBe(403);
      expect(
        (await call(app, 'GET', `${url}&format=csv`, { ip: USER_IP, token: user })).status,
      ).toBe(403);
      expect((await call(app, 'GET', url)).status).toBe(401);
      const refusals = await app.store.db
        .selectFrom('security_events')
        .select('event_type')
        .where('event_type', '=', 'authz_fail')
        .execute();
      expect(refusals).toHaveLength(2);
    });
  });

  describe('/ws/security', () => {
    async function listening(): Promise<TestApp> {
      const app = await open({ WS_HEARTBEAT_INTERVAL: '1' });
      await app.app.listen({ port: 0, host: '127.0.0.1' });
      return app;
    }

    it('sends an administrator the latest events and the posture, then each new event live', async () => {
      const app = await listening();
      const admin = (await signUp(app, 'secops', { ip: ADMIN_IP, admin: true })).token;
      expect((await login(app, 'nobody', { password: 'wrong', ip: '203.0.113.7' })).status).toBe(
        401,
      );

      const client = await connect(app);
      client.send({ op: 'auth', token: admin });
      await client.next('authenticated');
      const snapshot = await client.next('security_snapshot');
      expect(snapshot.status).toMatchObject({ status: 'SECURE', blocked_ips: 0, recent_events: 1 });
      const past = snapshot.events as RecordedSecurityEvent[];
      expect(past).toHaveLength(1);
      expect(past[0]).toMatchObject({
        event_type: 'authn_login_fail',
        source_ip: '203.0.113.7',
        details: { username: 'nobody' },
      });
      expect(client.events()).toEqual([]);

      expect((await login(app, 'mallory', { password: 'guess', ip: '203.0.113.8' })).status).toBe(
        401,
      );
      const live = await client.next('security_event');
      expect(live.event).toEqual({
        id: (past[0]?.id ?? 0) + 1,
        event_type: 'authn_login_fail',
        severity: 'LOW',
        source_ip: '203.0.113.8',
        user_id: null,
        description: 'a login failed',
        details: { username: 'mallory' },
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      });
      // The snapshot came before the live event, and nothing came twice.
      const order = client.messages.map((m) => m.type).filter((type) => type !== 'heartbeat');
      expect(order).toEqual(['authenticated', 'security_snapshot', 'security_event']);

      // The bearer subprotocol works as on /ws/orders.
      const viaProtocol = await connect(app, ['exchange.v1', `bearer.${admin}`]);
      expect(viaProtocol.socket.protocol).toBe('exchange.v1');
      expect((await viaProtocol.next('security_snapshot')).events).toHaveLength(2);
    });

    it('closes with 4403 for a signed-in non-admin and 4401 for a bad token, sending nothing', async () => {
      const app = await listening();
      const user = (await signUp(app, 'someone', { ip: USER_IP })).token;

      const nonAdmin = await connect(app);
      nonAdmin.send({ op: 'auth', token: user });
      expect(await nonAdmin.closing()).toEqual({
        code: 4403,
        reason: 'this channel is for administrators',
      });
      const nonAdminProtocol = await connect(app, ['exchange.v1', `bearer.${user}`]);
      expect((await nonAdminProtocol.closing()).code).toBe(4403);

      const bad = await connect(app);
      bad.send({ op: 'auth', token: 'not.a.token' });
      expect((await bad.closing()).code).toBe(4401);
      const silent = await connect(app);
      silent.send({ op: 'filter', severities: ['HIGH'] });
      expect((await silent.closing()).code).toBe(4401);

      for (const client of [nonAdmin, nonAdminProtocol, bad, silent])
        expect(client.messages).toEqual([]);
      const refusals = await app.store.db
        .selectFrom('security_events')
        .select(['event_type', 'details'])
        .where('event_type', '=', 'authz_fail')
        .execute();
      expect(refusals).toEqual([
        { event_type: 'authz_fail', details: '{"route":"/ws/security"}' },
        { event_type: 'authz_fail', details: '{"route":"/ws/security"}' },
      ]);
    });

    it('sends an event stored while the snapshot is read once, after the snapshot', async () => {
      const app = await open();
      const admin = (await signUp(app, 'secops', { ip: ADMIN_IP, admin: true })).token;
      const repo = new HeldRepo(app.store.db);
      const events = new SecurityEvents(repo, app.exchange.audit, Date.now);
      const { exchange, marketData } = app.exchange.venue;
      const feed = new Feed(new LocalMarketView(exchange, marketData));
      events.subscribe((event) => feed.publishSecurity(event));
      const sent: Message[] = [];
      const socket: ClientSocket = {
        readyState: 1,
        bufferedAmount: 0,
        send: (text) => sent.push(JSON.parse(text) as Message),
        close: () => {},
        terminate: () => {},
        ping: () => {},
      };
      const deps = {
        feed,
        events,
        repo,
        blocks: new LocalIpBlocks(Date.now),
        sessions: app.exchange.identity.sessions,
        log: app.app.log,
        now: Date.now,
        signIn: () => true,
      };
      const session = new SecuritySession(new Connection(socket, Date.now), deps, ADMIN_IP, admin);
      await until(() => sent.length > 0, 'authentication');
      const fail = (username: string) =>
        events.record({
          type: 'authn_login_fail',
          severity: 'LOW',
          description: 'a login failed',
          details: { username },
        });

      await fail('before-the-read'); // stored before the snapshot reads: in it, and only there
      repo.beforeRead.resolve();
      await repo.read.promise;
      await fail('after-the-read'); // stored after: not in the snapshot, so sent right after it
      repo.afterRead.resolve();
      await until(() => sent.some((m) => m.type === 'security_snapshot'), 'the snapshot');
      await fail('live');
      session.end();
      await fail('after-the-end');

      expect(sent.map((m) => m.type)).toEqual([
        'authenticated',
        'security_snapshot',
        'security_event',
        'security_event',
      ]);
      const names = (list: RecordedSecurityEvent[]) =>
        list.map((e) => (e.details as { username: string }).username);
      expect(names(sent[1]?.events as RecordedSecurityEvent[])).toEqual(['before-the-read']);
      expect(names(sent.slice(2).map((m) => m.event as RecordedSecurityEvent))).toEqual([
        'after-the-read',
        'live',
      ]);
    });

    it('filters the live feed by severity and type', async () => {
      const app = await listening();
      const admin = (await signUp(app, 'secops', { ip: ADMIN_IP, admin: true })).token;
      const all = await connect(app);
      const severe = await connect(app);
      const blocks = await connect(app);
      for (const client of [all, severe, blocks]) {
        client.send({ op: 'auth', token: admin });
        await client.next('security_snapshot');
      }
      severe.send({ op: 'filter', severities: ['HIGH', 'CRITICAL'] });
      expect(await severe.next('filtered')).toEqual({
        type: 'filtered',
        severities: ['HIGH', 'CRITICAL'],
        types: null,
      });
      blocks.send({ op: 'filter', types: ['ip_blocked'] });
      await blocks.next('filtered');
      severe.send({ op: 'filter', severities: ['SEVERE'] });
      expect((await severe.next('error')).message).toMatch(/severities/);

      // LOW: a failed login; HIGH or CRITICAL: an SQL injection the IDS refuses; MEDIUM: a block.
      expect((await login(app, 'nobody', { password: 'wrong', ip: '203.0.113.7' })).status).toBe(
        401,
      );
      expect(
        (await login(app, "admin' OR '1'='1' --", { password: 'x', ip: '203.0.113.40' })).status,
      ).toBe(400);
      const block = await call(app, 'POST', '/api/security/block-ip', {
        ip: ADMIN_IP,
        token: admin,
        body: { ip: '203.0.113.5', minutes: 5, reason: 'test block' },
      });
      expect(block.status).toBe(200);

      const stored = await app.store.db
        .selectFrom('security_events')
        .select(['id', 'severity', 'event_type'])
        .orderBy('id')
        .execute();
      const last = stored.at(-1)?.id;
      await until(() => all.events().some((e) => e.id === last), 'the last event');
      await blocks.next('security_event');
      expect(all.events().map((e) => e.id)).toEqual(stored.map((e) => e.id));
      const high = stored.filter((e) => e.severity === 'HIGH' || e.severity === 'CRITICAL');
      expect(high.length).toBeGreaterThan(0);
      expect(high.length).toBeLessThan(stored.length);
      // Live events go out in order on one connection: what the filter let through is all here.
      expect(severe.events().map((e) => e.id)).toEqual(high.map((e) => e.id));
      expect(blocks.events().map((e) => e.event_type)).toEqual(['ip_blocked']);
    });
  });

  it('stores no raw newline or escape sequence from a login name, in the database or the API', async () => {
    const app = await open();
    const admin = (await signUp(app, 'secops', { ip: ADMIN_IP, admin: true })).token;
    const forged = 'bob\n2026-11-22 INFO admin logged in\r\x1b[2J\x1b[31mred\u009b\u2028';
    expect((await login(app, forged, { password: 'x', ip: '203.0.113.7' })).status).toBe(401);

    const rows = await app.store.db
      .selectFrom('security_events')
      .select(['description', 'details'])
      .where('event_type', '=', 'authn_login_fail')
      .execute();
    expect(rows).toHaveLength(1);
    const details = rows[0]?.details ?? '';
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
    expect(details).not.toMatch(control);
    const stored = JSON.parse(details) as { username: string };
    expect(stored.username).not.toMatch(control);
    expect(stored.username).toBe(
      'bob\\n2026-11-22 INFO admin logged in\\r\\u001b[2J\\u001b[31mred\\u009b\\u2028',
    );

    const listed = await call(app, 'GET', '/api/security/events?type=authn_login_fail', {
      ip: ADMIN_IP,
      token: admin,
    });
    const [event] = listed.body.events as RecordedSecurityEvent[];
    expect(event?.details).toEqual({ username: stored.username });
    expect(JSON.stringify(event)).not.toMatch(control);

    // Text the IDS escaped already (its samples) is not escaped a second time.
    const traversal = await call(app, 'GET', '/api/market/stocks?f=..%5C..%5Cwindows%5Csystem32');
    expect(traversal.status).toBe(400);
    const [finding] = await app.store.db
      .selectFrom('security_events')
      .select('details')
      .where('event_type', '=', 'malicious_path_traversal')
      .execute();
    const { sample } = JSON.parse(finding?.details ?? '{}') as { sample: string };
    expect(sample).toContain('\\\\'); // one backslash, escaped once
    expect(sample).not.toContain('\\\\\\\\');
  });

  it('passes each stored event to every listener; a failing listener harms neither the caller nor the others', async () => {
    const app = await open();
    const events = new SecurityEvents(
      new SecurityEventsRepo(app.store.db),
      app.exchange.audit,
      () => 1_795_000_000_000,
    );
    const seen: RecordedSecurityEvent[] = [];
    events.subscribe(() => {
      throw new Error('a broken listener');
    });
    const unsubscribe = events.subscribe((event) => seen.push(event));
    const record = (description: string) =>
      events.record({ type: 'ip_unblocked', severity: 'LOW', description, ip: '203.0.113.5' });
    await expect(record('first')).resolves.toBeUndefined();
    unsubscribe();
    await record('second');
    const [row] = await app.store.db
      .selectFrom('security_events')
      .select('id')
      .where('description', '=', 'first')
      .execute();
    expect(seen).toEqual([
      {
        id: row?.id,
        event_type: 'ip_unblocked',
        severity: 'LOW',
        source_ip: '203.0.113.5',
        user_id: null,
        description: 'first',
        details: null,
        timestamp: new Date(1_795_000_000_000).toISOString(),
      },
    ]);
  });
});
