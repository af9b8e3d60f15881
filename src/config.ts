// Configuration from `.env` plus the environment, validated once at start.
// Every bad value becomes a ConfigError naming the variable and what it expects; nothing is guessed.

import { isAbsolute, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { readFileSync, existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';

/** A problem the operator must fix before the exchange can start; printed as one line. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export class ConfigError extends StartupError {
  constructor(
    readonly variable: string,
    expected: string,
    got: string,
  ) {
    super(`${variable} must be ${expected} (got ${JSON.stringify(got)})`);
    this.name = 'ConfigError';
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type IdsAction = 'log' | 'reject' | 'block';

/** Cluster mode (CLUSTER=on): many nodes on one PostgreSQL and Redis, one of them the leader. */
export interface ClusterConfig {
  /** NODE_ID: unique per node; hostname:PORT by default. */
  nodeId: string;
  /** CLUSTER_ADVERTISE_URL: where the other nodes reach this one; http://HOST:PORT by default. */
  advertiseUrl: string;
  /** CLUSTER_LEASE_MS: the sequencer lease's time to live, renewed every third of it. */
  leaseMs: number;
}

export interface Config {
  appName: string;
  host: string;
  port: number;
  debug: boolean;
  dataDir: string;
  databaseUrl: string;
  /** DATABASE_SCHEMA (PostgreSQL only): the schema every table lives in; the default one if unset. */
  databaseSchema: string | undefined;
  redisUrl: string | undefined;
  /** REDIS_KEY_PREFIX: the namespace of every key this exchange keeps in Redis. */
  redisPrefix: string;
  /** Undefined for a single node (the default). */
  cluster: ClusterConfig | undefined;
  masterKeyPath: string;
  /** MASTER_KEY: the master key itself, from the environment; when set, no key file is used. */
  masterKey: Buffer | undefined;
  keysDir: string;
  adminPassword: string | undefined;
  accessTokenExpireMinutes: number;
  refreshTokenExpireDays: number;
  sessionTimeoutMinutes: number;
  passwordMinLength: number;
  /** Cash credited to every new account, in paise. */
  startingBalance: number;
  loginRateLimit: number;
  loginTimewindowSeconds: number;
  apiRateLimit: number;
  apiBurstLimit: number;
  idsEnabled: boolean;
  idsAction: IdsAction;
  /** With IDS_ACTION=block: attack patterns from one address before it is blocked. */
  idsBlockAfter: number;
  blockDurationMinutes: number;
  /** Failed logins from one address within LOGIN_TIMEWINDOW before the address is blocked. */
  bruteForceThreshold: number;
  /** NONCE_CACHE_SIZE: live signed-request nonces each API key may hold in the replay window. */
  noncesPerKey: number;
  replayWindowSeconds: number;
  trustedProxies: string[];
  logLevel: LogLevel;
  /** JSON log file; `off` disables it. */
  logFile: string | undefined;
  securityLogFile: string | undefined;
  allowedOrigins: string[];
  wsHeartbeatIntervalSeconds: number;
  wsMaxConnections: number;
  /** Concurrent WebSocket connections from one address (IPv6: one /64). */
  wsMaxConnectionsPerIp: number;
  /** Concurrent signed-in WebSocket connections of one user. */
  wsMaxConnectionsPerUser: number;
  /** WebSocket upgrades one address may make per minute. */
  wsUpgradeRateLimit: number;
  encryptionKeyRotationDays: number;
  /** Sign an audit tree head when the last is this old (ms) and leaves were added since… */
  auditHeadIntervalMs: number;
  /** …or once this many leaves are not yet covered by a head. */
  auditHeadEveryLeaves: number;
  makerFeeBps: number;
  takerFeeBps: number;
  /** How far past the best price a market order may fill, in basis points. */
  marketCollarBps: number;
  /** How far from the last price a limit or stop price may be, in basis points. */
  priceBandBps: number;
  /** How many triggered stops one command runs; the rest run as further commands. */
  stopsPerCommand: number;
  /** UTC time of day ("HH:MM") when DAY orders expire. */
  sessionEndUtc: string;
  simulator: boolean;
  simulatorSeed: number;
  /** Milliseconds between the bots' rounds of quotes and trades. */
  simulatorIntervalMs: number;
  /** Built-in HTTPS (TLS_CERT, TLS_KEY, TLS_REDIRECT_PORT); plain HTTP when undefined. */
  tls: TlsConfig | undefined;
  /**
   * CLUSTER_COMMAND_TTL_MS: how long a trading command may wait for the leader, retries
   * included; past it the command is refused and never carried out late.
   */
  clusterCommandTtlMs: number;
}

export interface TlsConfig {
  /** PEM certificate (chain) and its private key. */
  certPath: string;
  keyPath: string;
  /** A plain-HTTP port that answers every request with a 308 to the HTTPS URL. */
  redirectPort: number | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads one variable at a time; each reader throws ConfigError with the variable's name. */
class EnvReader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ConfigError(name, `an integer from ${min} to ${max}`, value);
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    throw new ConfigError(name, 'true or false', value);
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    const match = allowed.find((a) => a === value);
    if (match === undefined) throw new ConfigError(name, `one of ${allowed.join(', ')}`, value);
    return match;
  }

  pattern(name: string, fallback: string, re: RegExp, expected: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!re.test(value)) throw new ConfigError(name, expected, value);
    return value;
  }

  list(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  /** A rupee amount such as `100000` or `2500.50`, returned in paise. */
  rupees(name: string, fallbackPaise: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallbackPaise;
    const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value);
    if (!m) throw new ConfigError(name, 'a rupee amount with at most 2 decimals', value);
    return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  }
}

/** Hides the password of a connection URL so it can be printed. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

function checkDatabaseUrl(url: string): string {
  if (/^sqlite:.+/.test(url) || /^postgres(ql)?:\/\/.+/.test(url)) return url;
  const expected = 'sqlite:<path> or postgres://user@host:port/db';
  throw new ConfigError('DATABASE_URL', expected, redactUrl(url));
}

function checkRedisUrl(url: string | undefined): string | undefined {
  if (url === undefined || /^rediss?:\/\/.+/.test(url)) return url;
  throw new ConfigError('REDIS_URL', 'redis://host:port', redactUrl(url));
}

function readSchema(r: EnvReader, databaseUrl: string): string | undefined {
  const schema = r.optionalString('DATABASE_SCHEMA');
  if (schema === undefined) return undefined;
  if (!databaseUrl.startsWith('postgres')) {
    throw new StartupError('DATABASE_SCHEMA is for PostgreSQL only; unset it for SQLite');
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError('DATABASE_SCHEMA', 'a lower-case SQL name (a-z, 0-9, _)', schema);
  }
  return schema;
}

function readCluster(
  r: EnvReader,
  host: string,
  port: number,
  databaseUrl: string,
  redisUrl: string | undefined,
): ClusterConfig | undefined {
  if (r.oneOf('CLUSTER', 'off', ['on', 'off']) === 'off') return undefined;
  if (!databaseUrl.startsWith('postgres')) {
    throw new StartupError(
      'CLUSTER=on needs DATABASE_URL=postgres://…: every node must share one PostgreSQL database (SQLite is one process on one machine)',
    );
  }
  if (redisUrl === undefined) {
    throw new StartupError(
      'CLUSTER=on needs REDIS_URL=redis://…: the nodes share market data, rate limits and IP blocks through it',
    );
  }
  const advertiseHost = host === '0.0.0.0' || host === '::' ? hostname() : host;
  const bracketed = isIP(advertiseHost) === 6 ? `[${advertiseHost}]` : advertiseHost;
  const advertiseUrl = r.string('CLUSTER_ADVERTISE_URL', `http://${bracketed}:${port}`);
  if (!/^https?:\/\/[^/\s]+$/.test(advertiseUrl)) {
    throw new ConfigError('CLUSTER_ADVERTISE_URL', 'http://host:port', advertiseUrl);
  }
  return {
    nodeId: r.string('NODE_ID', `${hostname()}:${port}`),
    advertiseUrl,
    leaseMs: r.int('CLUSTER_LEASE_MS', 3000, 500, 60_000),
  };
}

function checkOrigins(origins: string[]): string[] {
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        'ALLOWED_ORIGINS',
        'a comma-separated list of http(s)://host[:port]',
        origin,
      );
    }
  }
  return origins;
}

function checkCidrs(cidrs: string[]): string[] {
  for (const cidr of cidrs) {
    if (!/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(cidr)) {
      throw new ConfigError('TRUSTED_PROXIES', 'a comma-separated list of IPs or CIDRs', cidr);
    }
  }
  return cidrs;
}

/** MASTER_KEY is canonical base64 of 32 bytes. The value is a secret: errors never echo it. */
function checkMasterKey(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32 || key.toString('base64') !== value) {
    throw new ConfigError(
      'MASTER_KEY',
      'base64 of 32 random bytes, e.g. from `openssl rand -base64 32`',
      `${value.length} characters, not shown`,
    );
  }
  return key;
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/** TLS_CERT and TLS_KEY come together or not at all; a redirect port only makes sense with them. */
function readTls(r: EnvReader, cwd: string, port: number): TlsConfig | undefined {
  const cert = r.optionalString('TLS_CERT');
  const key = r.optionalString('TLS_KEY');
  const redirect = r.optionalString('TLS_REDIRECT_PORT');
  if (cert === undefined && key === undefined) {
    if (redirect === undefined) return undefined;
    throw new ConfigError(
      'TLS_REDIRECT_PORT',
      'unset unless TLS_CERT and TLS_KEY are set',
      redirect,
    );
  }
  if (key === undefined) throw new ConfigError('TLS_KEY', 'set as well when TLS_CERT is set', '');
  if (cert === undefined) throw new ConfigError('TLS_CERT', 'set as well when TLS_KEY is set', '');
  const redirectPort = redirect === undefined ? undefined : r.int('TLS_REDIRECT_PORT', 0, 1, 65535);
  if (redirectPort === port) {
    throw new ConfigError('TLS_REDIRECT_PORT', 'a port other than PORT', String(redirectPort));
  }
  return { certPath: absolute(cwd, cert), keyPath: absolute(cwd, key), redirectPort };
}

/**
 * Builds the configuration from an environment. `cwd` anchors relative paths.
 * Throws ConfigError for the first invalid variable.
 */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  const r = new EnvReader(env);
  const dataDir = absolute(cwd, r.string('DATA_DIR', './data'));
  const keysDir = resolve(dataDir, 'keys');
  const logPath = (name: string, fallback: string): string | undefined => {
    const value = r.string(name, fallback);
    return value.toLowerCase() === 'off' ? undefined : absolute(cwd, value);
  };
  const sqliteDefault = `sqlite:${resolve(dataDir, 'exchange.db')}`;
  const port = r.int('PORT', 8000, 0, 65535);
  const host = r.string('HOST', '127.0.0.1');
  const databaseUrl = checkDatabaseUrl(r.string('DATABASE_URL', sqliteDefault));
  const redisUrl = checkRedisUrl(r.optionalString('REDIS_URL'));
  return {
    appName: r.string('APP_NAME', 'Secure Stock Exchange'),
    host,
    port,
    debug: r.bool('DEBUG', false),
    dataDir,
    databaseUrl,
    databaseSchema: readSchema(r, databaseUrl),
    redisUrl,
    redisPrefix: r.pattern(
      'REDIS_KEY_PREFIX',
      'sse',
      /^[A-Za-z0-9_.:-]{1,64}$/,
      'letters, digits, _ . : - (up to 64)',
    ),
    cluster: readCluster(r, host, port, databaseUrl, redisUrl),
    masterKeyPath: absolute(cwd, r.string('MASTER_KEY_PATH', resolve(keysDir, 'master.key'))),
    masterKey: checkMasterKey(r.optionalString('MASTER_KEY')),
    keysDir,
    adminPassword: r.optionalString('ADMIN_PASSWORD'),
    accessTokenExpireMinutes: r.int('ACCESS_TOKEN_EXPIRE_MINUTES', 15, 1, 24 * 60),
    refreshTokenExpireDays: r.int('REFRESH_TOKEN_EXPIRE_DAYS', 7, 1, 365),
    sessionTimeoutMinutes: r.int('SESSION_TIMEOUT_MINUTES', 30, 1, 7 * 24 * 60),
    passwordMinLength: r.int('PASSWORD_MIN_LENGTH', 8, 8, 64),
    // ₹10,00,000: enough for the original README's example order (10 × ₹15,234.50).
    startingBalance: r.rupees('STARTING_BALANCE', 10_00_000_00),
    loginRateLimit: r.int('LOGIN_RATE_LIMIT', 5, 1, 1_000_000),
    loginTimewindowSeconds: r.int('LOGIN_TIMEWINDOW', 300, 1, 86_400),
    apiRateLimit: r.int('API_RATE_LIMIT', 100, 1, 100_000_000),
    apiBurstLimit: r.int('API_BURST_LIMIT', 20, 1, 1_000_000),
    idsEnabled: r.bool('IDS_ENABLED', true),
    idsAction: r.oneOf<IdsAction>('IDS_ACTION', 'reject', ['log', 'reject', 'block']),
    idsBlockAfter: r.int('IDS_BLOCK_AFTER', 5, 1, 1000),
    blockDurationMinutes: r.int('BLOCK_DURATION_MINUTES', 60, 1, 525_600),
    bruteForceThreshold: r.int('BRUTE_FORCE_THRESHOLD', 10, 1, 1_000_000),
    noncesPerKey: r.int('NONCE_CACHE_SIZE', 10_000, 100, 10_000_000),
    replayWindowSeconds: r.int('REPLAY_WINDOW_SECONDS', 300, 1, 3600),
    trustedProxies: checkCidrs(r.list('TRUSTED_PROXIES')),
    logLevel: r.oneOf<LogLevel>('LOG_LEVEL', 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]),
    logFile: logPath('LOG_FILE', './logs/exchange.log'),
    securityLogFile: logPath('SECURITY_LOG_FILE', './logs/security_events.log'),
    allowedOrigins: checkOrigins(r.list('ALLOWED_ORIGINS')),
    wsHeartbeatIntervalSeconds: r.int('WS_HEARTBEAT_INTERVAL', 30, 1, 3600),
    wsMaxConnections: r.int('WS_MAX_CONNECTIONS', 1000, 1, 1_000_000),
    wsMaxConnectionsPerIp: r.int('WS_MAX_CONNECTIONS_PER_IP', 20, 1, 1_000_000),
    wsMaxConnectionsPerUser: r.int('WS_MAX_CONNECTIONS_PER_USER', 10, 1, 1_000_000),
    wsUpgradeRateLimit: r.int('WS_UPGRADE_RATE_LIMIT', 60, 1, 1_000_000),
    encryptionKeyRotationDays: r.int('ENCRYPTION_KEY_ROTATION_DAYS', 90, 1, 3650),
    auditHeadIntervalMs: r.int('AUDIT_TREE_HEAD_SECONDS', 10, 1, 86_400) * 1000,
    auditHeadEveryLeaves: r.int('AUDIT_TREE_HEAD_LEAVES', 10_000, 1, 100_000_000),
    makerFeeBps: r.int('MAKER_FEE_BPS', 0, 0, 1000),
    takerFeeBps: r.int('TAKER_FEE_BPS', 0, 0, 1000),
    marketCollarBps: r.int('MARKET_COLLAR_BPS', 500, 1, 5000),
    priceBandBps: r.int('PRICE_BAND_BPS', 2000, 1, 9000),
    stopsPerCommand: r.int('STOPS_PER_COMMAND', 64, 1, 100_000),
    sessionEndUtc: r.pattern(
      'SESSION_END_UTC',
      '10:00',
      /^([01]\d|2[0-3]):[0-5]\d$/,
      'a time HH:MM (UTC)',
    ),
    simulator: r.oneOf('SIMULATOR', 'on', ['on', 'off']) === 'on',
    simulatorSeed: r.int('SIMULATOR_SEED', 42, 0, 2 ** 31 - 1),
    simulatorIntervalMs: r.int('SIMULATOR_INTERVAL_MS', 1000, 100, 3_600_000),
    tls: readTls(r, cwd, port),
    clusterCommandTtlMs: r.int('CLUSTER_COMMAND_TTL_MS', 10_000, 100, 120_000),
  };
}

/**
 * The process environment over the `.env` file in `cwd`: a variable set in the
 * environment wins over the file, as with dotenv.
 */
export function readEnvironment(cwd: string = process.cwd()): Env {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}
