import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from './config.ts';

const CWD = '/srv/exchange';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, CWD);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('starts on the embedded defaults with nothing set', () => {
    const config = loadConfig({}, CWD);
    expect(config.databaseUrl).toBe('sqlite:/srv/exchange/data/exchange.db');
    expect(config.masterKeyPath).toBe('/srv/exchange/data/keys/master.key');
    expect(config.port).toBe(8000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.startingBalance).toBe(10_00_000_00);
    expect(config.loginRateLimit).toBe(5);
    expect(config.loginTimewindowSeconds).toBe(300);
    expect(config.idsEnabled).toBe(true);
    expect(config.allowedOrigins).toEqual([]);
    expect(config.redisUrl).toBeUndefined();
    expect(config.adminPassword).toBeUndefined();
    expect(config.clusterCommandTtlMs).toBe(10_000);
  });

  it('reads the original platform variable names', () => {
    const config = loadConfig(
      {
        HOST: '0.0.0.0',
        PORT: '9000',
        DEBUG: 'False',
        DATABASE_URL: 'postgres://exchange@db:5432/exchange',
        ACCESS_TOKEN_EXPIRE_MINUTES: '30',
        REFRESH_TOKEN_EXPIRE_DAYS: '14',
        LOGIN_RATE_LIMIT: '10',
        LOGIN_TIMEWINDOW: '60',
        API_RATE_LIMIT: '200',
        API_BURST_LIMIT: '40',
        IDS_ENABLED: 'True',
        BLOCK_DURATION_MINUTES: '15',
        NONCE_CACHE_SIZE: '5000',
        REPLAY_WINDOW_SECONDS: '120',
        LOG_LEVEL: 'DEBUG',
        LOG_FILE: 'off',
        SECURITY_LOG_FILE: '/var/log/sec.log',
        ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443',
        WS_HEARTBEAT_INTERVAL: '15',
        WS_MAX_CONNECTIONS: '50',
        MASTER_KEY_PATH: 'secrets/master.key',
        STARTING_BALANCE: '2500.5',
      },
      CWD,
    );
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      debug: false,
      databaseUrl: 'postgres://exchange@db:5432/exchange',
      accessTokenExpireMinutes: 30,
      refreshTokenExpireDays: 14,
      loginRateLimit: 10,
      loginTimewindowSeconds: 60,
      apiRateLimit: 200,
      apiBurstLimit: 40,
      idsEnabled: true,
      blockDurationMinutes: 15,
      noncesPerKey: 5000,
      replayWindowSeconds: 120,
      logLevel: 'debug',
      logFile: undefined,
      securityLogFile: '/var/log/sec.log',
      allowedOrigins: ['https://a.example', 'https://b.example:8443'],
      wsHeartbeatIntervalSeconds: 15,
      wsMaxConnections: 50,
      masterKeyPath: '/srv/exchange/secrets/master.key',
      startingBalance: 250_050,
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535 (got "70000")'],
    [{ PORT: '80.5' }, 'PORT must be an integer from 0 to 65535 (got "80.5")'],
    [{ DEBUG: 'maybe' }, 'DEBUG must be true or false (got "maybe")'],
    [
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    [
      { DATABASE_URL: 'mysql://x' },
      'DATABASE_URL must be sqlite:<path> or postgres://user@host:port/db (got "mysql://x")',
    ],
    [
      { STARTING_BALANCE: '10.123' },
      'STARTING_BALANCE must be a rupee amount with at most 2 decimals (got "10.123")',
    ],
    [
      { ALLOWED_ORIGINS: '*' },
      'ALLOWED_ORIGINS must be a comma-separated list of http(s)://host[:port] (got "*")',
    ],
    [{ PASSWORD_MIN_LENGTH: '4' }, 'PASSWORD_MIN_LENGTH must be an integer from 8 to 64 (got "4")'],
    [
      { CLUSTER_COMMAND_TTL_MS: '10s' },
      'CLUSTER_COMMAND_TTL_MS must be an integer from 100 to 120000 (got "10s")',
    ],
  ])('rejects %j with one line naming the variable', (env, message) => {
    const error = configError(env);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('\n');
  });

  it('never prints the password of a bad database URL', () => {
    const error = configError({ DATABASE_URL: 'mysql://app:s3cret@db/x' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).not.toContain('s3cret');
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });

  it('reads MASTER_KEY as base64 of 32 bytes and never prints a bad one', () => {
    const key = Buffer.alloc(32, 9);
    expect(loadConfig({ MASTER_KEY: key.toString('base64') }, CWD).masterKey).toEqual(key);
    expect(loadConfig({}, CWD).masterKey).toBeUndefined();
    for (const bad of [
      Buffer.alloc(16, 9).toString('base64'),
      Buffer.alloc(33, 9).toString('base64'),
      key.toString('hex'),
      key.toString('base64url').replace(/=/g, '') + '-',
    ]) {
      const error = configError({ MASTER_KEY: bad });
      expect(error.variable).toBe('MASTER_KEY');
      expect(error.message).toMatch(/^MASTER_KEY must be base64 of 32 random bytes/);
      expect(error.message).not.toContain(bad);
      expect(error.message).not.toContain('\n');
    }
  });
});
