// Sign in (with the MFA step: an authenticator code or a recovery code) and registration.

import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { LoginResult, Registration, TokenPair } from '../api/types.ts';
import { Button, ErrorLine, Field, textOf, useAction } from '../components/form.tsx';
import { useSession } from '../session/session.tsx';

type Step = { kind: 'login' } | { kind: 'mfa'; token: string } | { kind: 'register' };

export function SignInPage() {
  const { signedIn } = useSession();
  const [step, setStep] = useState<Step>({ kind: 'login' });
  const [notice, setNotice] = useState<string>();
  const { busy, error, setError, run } = useAction();

  const login = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => {
      const result = await api.post<LoginResult>(
        '/api/auth/login',
        {
          username: textOf(form, 'username'),
          password: textOf(form, 'password'),
          token_delivery: 'cookie',
        },
        true,
      );
      if (result.mfa_required) setStep({ kind: 'mfa', token: result.mfa_token });
      else await signedIn(result);
    });
  };

  const verify = (event: FormEvent<HTMLFormElement>, token: string) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => {
      const pair = await api.post<TokenPair>(
        '/api/auth/mfa/verify',
        { mfa_token: token, code: textOf(form, 'code').trim(), token_delivery: 'cookie' },
        true,
      );
      await signedIn(pair);
    });
  };

  const register = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const registration: Registration = {
      username: textOf(form, 'username'),
      email: textOf(form, 'email'),
      full_name: textOf(form, 'full_name'),
      password: textOf(form, 'password'),
    };
    void run(async () => {
      await api.post('/api/auth/register', registration, true);
      setNotice('Account created. Sign in with it.');
      setStep({ kind: 'login' });
    });
  };

  return (
    <main className="mx-3 mt-16 max-w-sm rounded border border-edge bg-panel p-6 sm:mx-auto">
      <h1 className="mb-4 text-xl font-semibold">
        {step.kind === 'register' ? 'Create an account' : 'Sign in to the exchange'}
      </h1>
      {notice !== undefined && step.kind === 'login' && (
        <p role="status" className="mb-3 text-sm text-up">
          {notice}
        </p>
      )}
      {step.kind === 'login' && (
        <form className="flex flex-col gap-3" onSubmit={login} aria-label="Sign in">
          <Field label="Username" name="username" autoComplete="username" required autoFocus />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
          />
          <ErrorLine message={error} />
          <Button type="submit" tone="primary" disabled={busy}>
            Sign in
          </Button>
          <Button onClick={() => (setError(undefined), setStep({ kind: 'register' }))}>
            Create an account
          </Button>
        </form>
      )}
      {step.kind === 'mfa' && (
        <form
          className="flex flex-col gap-3"
          onSubmit={(e) => verify(e, step.token)}
          aria-label="Two-factor code"
        >
          <Field
            label="Authenticator code or recovery code"
            name="code"
            autoComplete="one-time-code"
            inputMode="text"
            required
            autoFocus
            hint="Six digits from your authenticator app, or one of your recovery codes."
          />
          <ErrorLine message={error} />
          <Button type="submit" tone="primary" disabled={busy}>
            Verify
          </Button>
          <Button onClick={() => setStep({ kind: 'login' })}>Back</Button>
        </form>
      )}
      {step.kind === 'register' && (
        <form className="flex flex-col gap-3" onSubmit={register} aria-label="Register">
          <Field
            label="Username"
            name="username"
            autoComplete="username"
            required
            minLength={3}
            maxLength={32}
            autoFocus
          />
          <Field label="Full name" name="full_name" autoComplete="name" required maxLength={100} />
          <Field label="Email" name="email" type="email" autoComplete="email" required />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            hint="At least 8 characters; a passphrase is best."
          />
          <ErrorLine message={error} />
          <Button type="submit" tone="primary" disabled={busy}>
            Register
          </Button>
          <Button onClick={() => (setError(undefined), setStep({ kind: 'login' }))}>
            I have an account
          </Button>
        </form>
      )}
    </main>
  );
}
