import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, StartupError, loadConfig } from './config.ts';
import { httpsLocation, loadTls, makeSelfSignedCertificate } from './tls.ts';

const DAY_MS = 86_400_000;
/** DER of the sha256WithRSAEncryption OID, 1.2.840.113549.1.1.11. */
const SHA256_WITH_RSA = Buffer.from('06092a864886f70d01010b', 'hex');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sse-tls-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function startupError(run: () => unknown): StartupError {
  try {
    run();
  } catch (error) {
    if (error instanceof StartupError) return error;
    throw error;
  }
  throw new Error('expected a StartupError');
}

describe('makeSelfSignedCertificate', () => {
  it('makes a SHA-256 certificate for localhost, 127.0.0.1 and ::1, valid 90 days', () => {
    const now = Date.now();
    const made = makeSelfSignedCertificate(join(dir, 'tls'), now);
    expect(made).toEqual({
      certPath: join(dir, 'tls', 'cert.pem'),
      keyPath: join(dir, 'tls', 'key.pem'),
      created: true,
    });
    const cert = new X509Certificate(readFileSync(made.certPath));
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkHost('example.com')).toBeUndefined();
    expect(cert.ca).toBe(false);
    expect(cert.raw.includes(SHA256_WITH_RSA)).toBe(true);

    const validFrom = Date.parse(cert.validFrom);
    const validTo = Date.parse(cert.validTo);
    expect(Math.abs(validFrom - now)).toBeLessThan(2_000);
    // 90 calendar days in local time: a daylight-saving change moves the end by an hour.
    expect(Math.abs(validTo - validFrom - 90 * DAY_MS)).toBeLessThanOrEqual(3_600_000 + 2_000);

    const key = createPrivateKey(readFileSync(made.keyPath));
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(statSync(made.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(made.certPath).mode & 0o777).toBe(0o644);
  });

  it('never overwrites: a second call leaves both files as they were', () => {
    const first = makeSelfSignedCertificate(dir, Date.now());
    const cert = readFileSync(first.certPath, 'utf8');
    const key = readFileSync(first.keyPath, 'utf8');
    const second = makeSelfSignedCertificate(dir, Date.now());
    expect(second).toEqual({ ...first, created: false });
    expect(readFileSync(first.certPath, 'utf8')).toBe(cert);
    expect(readFileSync(first.keyPath, 'utf8')).toBe(key);
  });

  it('refuses when only one of the two files is there, and leaves it alone', () => {
    writeFileSync(join(dir, 'cert.pem'), 'operator certificate');
    const error = startupError(() => makeSelfSignedCertificate(dir, Date.now()));
    expect(error.message).toBe(
      `${join(dir, 'cert.pem')} exists without its pair; not overwritten (move it away to make a new pair)`,
    );
    expect(readFileSync(join(dir, 'cert.pem'), 'utf8')).toBe('operator certificate');
    expect(() => statSync(join(dir, 'key.pem'))).toThrow();
  });
});

describe('TLS configuration', () => {
  it('is off unless both TLS_CERT and TLS_KEY are set; relative paths resolve from cwd', () => {
    expect(loadConfig({}, '/srv/x').tls).toBeUndefined();
    expect(loadConfig({ TLS_CERT: 'tls/c.pem', TLS_KEY: '/etc/k.pem' }, '/srv/x').tls).toEqual({
      certPath: '/srv/x/tls/c.pem',
      keyPath: '/etc/k.pem',
      redirectPort: undefined,
    });
    const withRedirect = { TLS_CERT: 'c', TLS_KEY: 'k', TLS_REDIRECT_PORT: '8080' };
    expect(loadConfig(withRedirect, '/srv/x').tls?.redirectPort).toBe(8080);
  });

  it.each([
    [{ TLS_CERT: 'c.pem' }, 'TLS_KEY', 'TLS_KEY must be set as well when TLS_CERT is set (got "")'],
    [{ TLS_KEY: 'k.pem' }, 'TLS_CERT', 'TLS_CERT must be set as well when TLS_KEY is set (got "")'],
    [
      { TLS_REDIRECT_PORT: '8080' },
      'TLS_REDIRECT_PORT',
      'TLS_REDIRECT_PORT must be unset unless TLS_CERT and TLS_KEY are set (got "8080")',
    ],
    [
      { TLS_CERT: 'c', TLS_KEY: 'k', TLS_REDIRECT_PORT: '0' },
      'TLS_REDIRECT_PORT',
      'TLS_REDIRECT_PORT must be an integer from 1 to 65535 (got "0")',
    ],
    [
      { TLS_CERT: 'c', TLS_KEY: 'k', TLS_REDIRECT_PORT: '8000' },
      'TLS_REDIRECT_PORT',
      'TLS_REDIRECT_PORT must be a port other than PORT (got "8000")',
    ],
  ])('rejects %j naming %s', (env, variable, message) => {
    const error = startupError(() => loadConfig(env, '/srv/x'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect(error.message).toBe(message);
  });
});

describe('loadTls', () => {
  function tlsConfig(certPath: string, keyPath: string): Parameters<typeof loadTls>[0] {
    return { tls: { certPath, keyPath, redirectPort: undefined } };
  }

  it('loads a matching pair as TLS 1.3-only server options', () => {
    const made = makeSelfSignedCertificate(dir, Date.now());
    const loaded = loadTls(tlsConfig(made.certPath, made.keyPath));
    expect(loaded?.serverOptions).toEqual({
      cert: readFileSync(made.certPath, 'utf8'),
      key: readFileSync(made.keyPath, 'utf8'),
      minVersion: 'TLSv1.3',
    });
    expect(loaded?.subject).toBe('CN=localhost, O=Secure Stock Exchange (development)');
    expect(loaded?.validTo.getTime()).toBeGreaterThan(Date.now() + 89 * DAY_MS);
    expect(loadTls({ tls: undefined })).toBeUndefined();
  });

  it('names the variable and the file for each kind of bad file', () => {
    const made = makeSelfSignedCertificate(join(dir, 'a'), Date.now());
    const other = makeSelfSignedCertificate(join(dir, 'b'), Date.now());
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    const truncated = join(dir, 'truncated.pem');
    writeFileSync(truncated, readFileSync(made.certPath, 'utf8').slice(0, 200));
    const missing = join(dir, 'missing.pem');

    const message = (cert: string, key: string): string =>
      startupError(() => loadTls(tlsConfig(cert, key))).message;
    expect(message(missing, made.keyPath)).toBe(`TLS_CERT: cannot read ${missing} (no such file)`);
    expect(message(made.certPath, missing)).toBe(`TLS_KEY: cannot read ${missing} (no such file)`);
    expect(message(dir, made.keyPath)).toBe(`TLS_CERT: cannot read ${dir} (it is a directory)`);
    expect(message(garbage, made.keyPath)).toBe(`TLS_CERT: ${garbage} is not a PEM certificate`);
    expect(message(truncated, made.keyPath)).toBe(
      `TLS_CERT: ${truncated} is not a PEM certificate`,
    );
    expect(message(made.certPath, garbage)).toBe(
      `TLS_KEY: ${garbage} is not an unencrypted PEM private key (passphrases are not supported)`,
    );
    expect(message(made.certPath, other.keyPath)).toBe(
      `TLS_KEY: ${other.keyPath} is not the private key of ${made.certPath}`,
    );
  });
});

describe('httpsLocation', () => {
  it.each([
    ['localhost:8080', '/api/health?x=1', 8443, 'https://localhost:8443/api/health?x=1'],
    ['127.0.0.1:8080', '/', 8443, 'https://127.0.0.1:8443/'],
    ['[::1]:8080', '/a', 8443, 'https://[::1]:8443/a'],
    ['exchange.example', '/a', 443, 'https://exchange.example/a'],
    // No Host header, or one that is not a host name: the configured HOST.
    [undefined, '/a', 8443, 'https://127.0.0.1:8443/a'],
    ['evil.example/path', '/a', 8443, 'https://127.0.0.1:8443/a'],
    ['a b', '/a', 8443, 'https://127.0.0.1:8443/a'],
    // An absolute-form request target must not choose the redirect's host.
    ['localhost', 'http://evil.example/x', 8443, 'https://localhost:8443/'],
  ])('Host %j, path %j, port %d -> %s', (host, url, port, location) => {
    expect(httpsLocation(host, url, port, '127.0.0.1')).toBe(location);
  });

  it('brackets an IPv6 HOST', () => {
    expect(httpsLocation(undefined, '/', 8443, '::1')).toBe('https://[::1]:8443/');
  });
});
