// API keys for trading bots: register a pasted public key, or make an ECDSA P-256 key pair here
// with WebCrypto and download the private key (it never leaves this browser otherwise); revoke;
// and a signing example in the exchange's exact scheme (tools/api-client.ts). A key outlives the
// session, so registering one asks for the password again (and a code when MFA is on).

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { ApiKey } from '../api/types.ts';
import { useProfile } from '../session/session.tsx';
import { copyText } from './clipboard.ts';
import { saveFile } from './download.ts';
import { Button, ErrorLine, Field, TextArea, textOf, useAction } from './form.tsx';

function pem(label: string, der: ArrayBuffer): string {
  const base64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function signingExample(keyId: string): string {
  return `// Node 20+: node sign.mjs  (API_PRIVATE_KEY=bot.pem)
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

const key = createPrivateKey(readFileSync(process.env.API_PRIVATE_KEY ?? 'bot.pem'));
const method = 'GET';
const url = '/api/trading/portfolio'; // path and query exactly as sent
const body = ''; // the exact JSON text for POST/PATCH
const timestamp = String(Math.floor(Date.now() / 1000));
const nonce = randomBytes(18).toString('base64url'); // never reuse
const bodyHash = createHash('sha256').update(body).digest('hex');
const message = [method, url, timestamp, nonce, bodyHash].join('\\n');
const signature = sign('sha256', Buffer.from(message), { key, dsaEncoding: 'ieee-p1363' });

const res = await fetch(new URL(url, '${window.location.origin}'), {
  method,
  headers: {
    'x-api-key': '${keyId}',
    'x-timestamp': timestamp,
    'x-nonce': nonce,
    'x-signature': signature.toString('base64'),
  },
});
console.log(res.status, await res.json());
`;
}

const downloadPrivateKey = (privatePem: string) =>
  saveFile('api-key-private.pem', privatePem, 'application/x-pem-file');

/** The private key made here exists only in this page and the downloaded file. */
function PrivateKeyNote({ privatePem }: { privatePem: string }) {
  return (
    <p className="text-sm text-up">
      The private key was downloaded as api-key-private.pem. Keep it safe: the exchange never sees
      it.{' '}
      <button type="button" className="underline" onClick={() => downloadPrivateKey(privatePem)}>
        Download again
      </button>
    </p>
  );
}

export function ApiKeys() {
  const profile = useProfile();
  const [keys, setKeys] = useState<ApiKey[]>();
  const { error, run } = useAction();
  // The key just registered, and the private key made for it here: shown until dismissed.
  const [created, setCreated] = useState<{ key: ApiKey; privatePem: string | undefined }>();
  const [publicKey, setPublicKey] = useState('');
  const [generated, setGenerated] = useState<string>();
  const [copied, setCopied] = useState(false);

  const load = useCallback(() => {
    void api.get<{ api_keys: ApiKey[] }>('/api/auth/api-keys').then((r) => setKeys(r.api_keys));
  }, []);
  // Again whenever the profile is reloaded: a password change may have revoked every key.
  useEffect(load, [load, profile]);

  const generate = async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const privatePem = pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    setPublicKey(pem('PUBLIC KEY', await crypto.subtle.exportKey('spki', pair.publicKey)));
    setGenerated(privatePem);
    downloadPrivateKey(privatePem);
  };

  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const scopes = ['read', ...(form.get('trade') === 'on' ? ['trade'] : [])];
    void run(async () => {
      const key = await api.post<ApiKey>('/api/auth/api-keys', {
        label: textOf(form, 'label'),
        public_key: publicKey.trim(),
        scopes,
        password: textOf(form, 'password'),
        ...(profile.mfa_enabled ? { code: textOf(form, 'code').trim() } : {}),
      });
      // The form starts empty for the next key; the new key's details stay below it.
      formElement.reset();
      setCreated({ key, privatePem: generated });
      setPublicKey('');
      setGenerated(undefined);
      load();
    });
  };

  const revoke = (id: string) =>
    void run(async () => {
      await api.request('DELETE', `/api/auth/api-keys/${encodeURIComponent(id)}`);
      load();
    });

  const example = signingExample(
    created?.key.id ?? keys?.find((k) => k.revoked_at === null)?.id ?? 'ak_...',
  );
  return (
    <div className="flex flex-col gap-4">
      <form className="flex flex-col gap-2" onSubmit={create} aria-label="New API key">
        <Field label="Label" name="label" required maxLength={64} placeholder="my bot" />
        <TextArea
          label="Public key (PEM, ECDSA P-256)"
          className="text-xs"
          value={publicKey}
          onChange={(e) => setPublicKey(e.target.value)}
          rows={5}
          placeholder="-----BEGIN PUBLIC KEY-----"
          required
        />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="trade" /> May trade (without it, the key can only read)
        </label>
        <Field
          label="Your password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          hint="A key outlives this session, so registering one needs your password again."
        />
        {profile.mfa_enabled && (
          <Field
            label="Authenticator or recovery code"
            name="code"
            autoComplete="one-time-code"
            required
          />
        )}
        {generated !== undefined && (
          <div role="status">
            <p className="text-sm text-up">A new key pair was made in this browser.</p>
            <PrivateKeyNote privatePem={generated} />
          </div>
        )}
        <ErrorLine message={error} />
        <div className="flex gap-2">
          <Button onClick={() => void run(generate)}>Generate a key pair in the browser</Button>
          <Button type="submit" tone="primary">
            Register the public key
          </Button>
        </div>
      </form>
      {created !== undefined && (
        <div role="status" className="flex flex-col gap-1 rounded border border-up/50 p-3 text-sm">
          <p>
            Key <code className="num text-accent">{created.key.id}</code> registered.
          </p>
          {created.privatePem !== undefined && <PrivateKeyNote privatePem={created.privatePem} />}
          <Button className="self-start py-0.5 text-xs" onClick={() => setCreated(undefined)}>
            Dismiss
          </Button>
        </div>
      )}
      <table className="w-full text-sm" data-testid="api-keys">
        <thead className="text-xs text-dim">
          <tr>
            <th className="py-1 text-left font-normal">Key</th>
            <th className="py-1 text-left font-normal">Label</th>
            <th className="py-1 text-left font-normal">Scopes</th>
            <th className="py-1 text-left font-normal">Last used</th>
            <th className="py-1 text-left font-normal">State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys?.map((key) => (
            <tr key={key.id} className="border-t border-edge/60">
              <td className="num py-1">{key.id}</td>
              <td className="py-1">{key.label}</td>
              <td className="py-1">{key.scopes.join(', ')}</td>
              <td className="py-1 text-dim">{key.last_used_at ?? 'never'}</td>
              <td className="py-1">{key.revoked_at === null ? 'active' : 'revoked'}</td>
              <td className="py-1 text-right">
                {key.revoked_at === null && (
                  <Button
                    tone="danger"
                    className="py-0.5 text-xs"
                    onClick={() => revoke(key.id)}
                    aria-label={`Revoke ${key.label}`}
                  >
                    Revoke
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div>
        <div className="mb-1 flex items-center justify-between">
          <h3 className="text-sm font-semibold">Signing a request</h3>
          <Button className="py-0.5 text-xs" onClick={() => void copyText(example).then(setCopied)}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        </div>
        <p className="mb-1 text-xs text-dim">
          Signature: base64 ECDSA P-256 (raw r‖s) over METHOD, PATH?QUERY, TIMESTAMP, NONCE and hex
          SHA-256 of the body, joined by newlines. Requests older than 5 minutes, or with a reused
          nonce, are refused.
        </p>
        <pre
          className="num max-h-72 overflow-auto rounded border border-edge bg-page p-2 text-xs"
          data-testid="signing-example"
        >
          {example}
        </pre>
      </div>
    </div>
  );
}
