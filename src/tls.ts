// Built-in HTTPS: the operator's certificate and key are checked once at start (TLS 1.3 minimum),
// and every problem with them is a one-line StartupError naming the variable. Also makes the
// development certificate for `npm run init -- --self-signed` and the plain-HTTP redirect.

import {
  X509Certificate,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { generate, type SelfsignedOptions } from 'selfsigned';
import { StartupError, type Config } from './config.ts';

/** What `https.createServer` gets: never a protocol older than TLS 1.3. */
export interface TlsServerOptions {
  cert: string;
  key: string;
  minVersion: 'TLSv1.3';
}

export interface LoadedTls {
  serverOptions: TlsServerOptions;
  /** For the start-up log. */
  subject: string;
  subjectAltName: string | undefined;
  validTo: Date;
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}

function readPem(variable: 'TLS_CERT' | 'TLS_KEY', path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StartupError(`${variable}: cannot read ${path} (${reason(error)})`);
  }
}

function parseCertificate(path: string, pem: string): X509Certificate {
  // Node's TLS takes PEM only; X509Certificate alone would also accept DER.
  if (pem.includes('-----BEGIN CERTIFICATE-----')) {
    try {
      return new X509Certificate(pem);
    } catch {
      // reported below
    }
  }
  throw new StartupError(`TLS_CERT: ${path} is not a PEM certificate`);
}

function parseKey(path: string, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new StartupError(
      `TLS_KEY: ${path} is not an unencrypted PEM private key (passphrases are not supported)`,
    );
  }
}

/**
 * Reads and checks TLS_CERT and TLS_KEY: both parse, the key belongs to the certificate and
 * OpenSSL accepts the pair. Undefined when TLS is not configured.
 */
export function loadTls(config: Pick<Config, 'tls'>): LoadedTls | undefined {
  if (config.tls === undefined) return undefined;
  const { certPath, keyPath } = config.tls;
  const cert = readPem('TLS_CERT', certPath);
  const key = readPem('TLS_KEY', keyPath);
  const certificate = parseCertificate(certPath, cert);
  if (!certificate.checkPrivateKey(parseKey(keyPath, key))) {
    throw new StartupError(`TLS_KEY: ${keyPath} is not the private key of ${certPath}`);
  }
  const serverOptions: TlsServerOptions = { cert, key, minVersion: 'TLSv1.3' };
  try {
    createSecureContext(serverOptions);
  } catch (error) {
    throw new StartupError(`TLS_CERT: OpenSSL refuses ${certPath} (${reason(error)})`);
  }
  return {
    serverOptions,
    subject: certificate.subject.replaceAll('\n', ', '),
    subjectAltName: certificate.subjectAltName,
    validTo: new Date(certificate.validTo),
  };
}

export const SELF_SIGNED_NAMES = ['localhost', '127.0.0.1', '::1'] as const;
export const SELF_SIGNED_DAYS = 90;

export interface SelfSignedCertificate {
  certPath: string;
  keyPath: string;
  /** False when both files were already there: nothing was written. */
  created: boolean;
}

/**
 * A development certificate for localhost, 127.0.0.1 and ::1 in `dir`: `cert.pem` (0644) and
 * `key.pem` (0600), RSA-2048 with SHA-256, valid 90 days from `now`. Existing files are never
 * overwritten: with both present it returns `created: false`, with one alone it refuses.
 */
export function makeSelfSignedCertificate(dir: string, now: number): SelfSignedCertificate {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const present = [certPath, keyPath].filter((path) => existsSync(path));
  if (present.length === 2) return { certPath, keyPath, created: false };
  if (present[0] !== undefined) {
    throw new StartupError(
      `${present[0]} exists without its pair; not overwritten (move it away to make a new pair)`,
    );
  }
  // node:crypto makes the key (forge's pure-JS RSA takes seconds); selfsigned signs the cert.
  const keyPair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  // selfsigned 2 takes `keyPair` but does not declare it; it counts `days` from the system
  // clock, so `now` is expected to be the current time.
  const options: SelfsignedOptions & { keyPair: typeof keyPair } = {
    keyPair,
    days: SELF_SIGNED_DAYS,
    notBeforeDate: new Date(now),
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: SELF_SIGNED_NAMES.map((name) =>
          isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name },
        ),
      },
    ],
  };
  const { cert } = generate(
    [
      { name: 'commonName', value: 'localhost' },
      { name: 'organizationName', value: 'Secure Stock Exchange (development)' },
    ],
    options,
  );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // `wx`: a file that appeared meanwhile is an error, never overwritten. chmod: not left to umask.
  writeFileSync(keyPath, keyPair.privateKey, { mode: 0o600, flag: 'wx' });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, cert, { mode: 0o644, flag: 'wx' });
  chmodSync(certPath, 0o644);
  return { certPath, keyPath, created: true };
}

/** The host of a Host header without its port; undefined unless a plain name or address. */
function hostnameOf(hostHeader: string | undefined): string | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(hostHeader ?? '');
  return match?.[1];
}

/**
 * Where the redirect sends a request: same host (from the Host header, else `fallbackHost`) and
 * path, on the HTTPS port. Only origin-form paths are kept, so the target stays on this host.
 */
export function httpsLocation(
  hostHeader: string | undefined,
  url: string | undefined,
  httpsPort: number,
  fallbackHost: string,
): string {
  const fallback = isIP(fallbackHost) === 6 ? `[${fallbackHost}]` : fallbackHost;
  const host = hostnameOf(hostHeader) ?? fallback;
  const path = url?.startsWith('/') === true ? url : '/';
  return `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${path}`;
}

/** The plain-HTTP listener for TLS_REDIRECT_PORT: every request gets a 308 to HTTPS. */
export function createHttpsRedirect(httpsPort: number, fallbackHost: string): Server {
  return createServer((request, response) => {
    response.writeHead(308, {
      location: httpsLocation(request.headers.host, request.url, httpsPort, fallbackHost),
      'content-length': '0',
    });
    response.end();
  });
}
