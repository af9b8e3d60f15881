import { createServer, type AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiUrl, DEFAULT_API_URL, signedFetch } from './api-client.ts';

const key = {
  keyId: 'ak_test',
  privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
};

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('api-client', () => {
  it('talks to the local server unless API_URL says otherwise', () => {
    expect(apiUrl({}).href).toBe(`${DEFAULT_API_URL}/`);
    expect(apiUrl({ API_URL: '' }).href).toBe(`${DEFAULT_API_URL}/`);
    expect(apiUrl({ API_URL: 'https://exchange.example:8443' }).href).toBe(
      'https://exchange.example:8443/',
    );
    expect(() => apiUrl({ API_URL: 'localhost' })).toThrow(
      `API_URL must be the exchange's address, such as ${DEFAULT_API_URL} (got "localhost")`,
    );
  });

  it('names the address and the reason when the exchange cannot be reached', async () => {
    const port = await closedPort();
    await expect(
      signedFetch(`http://127.0.0.1:${port}`, key, 'GET', '/api/auth/me'),
    ).rejects.toThrow(
      `cannot reach the exchange at http://127.0.0.1:${port} (ECONNREFUSED): is it running (npm start)? Set API_URL to its address if it is elsewhere`,
    );
  });

  it('says so when the address answers something other than the exchange', async () => {
    const server = createHttpServer((_req, res) => res.end('<html>hello</html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(
        signedFetch(`http://127.0.0.1:${port}`, key, 'GET', '/api/auth/me'),
      ).rejects.toThrow(
        `http://127.0.0.1:${port} answered 200 with no content type, not the exchange's JSON`,
      );
    } finally {
      server.close();
    }
  });
});
