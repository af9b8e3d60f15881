// Two-factor authentication: enrol with the QR code (or the secret), confirm with a code and
// keep the recovery codes shown once (copied or downloaded); or turn it off with the password
// and a code.

import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { MfaEnrollment, RecoveryCodes } from '../api/types.ts';
import { useProfile, useSession } from '../session/session.tsx';
import { Button, ErrorLine, Field, textOf, useAction } from './form.tsx';
import { RecoveryCodesPanel } from './recovery-codes.tsx';

export function MfaSettings() {
  const profile = useProfile();
  const { reloadProfile } = useSession();
  const [enrollment, setEnrollment] = useState<MfaEnrollment>();
  const [codes, setCodes] = useState<string[]>();
  const { error, run } = useAction();

  const enroll = () =>
    void run(() => api.post<MfaEnrollment>('/api/auth/mfa/enroll').then(setEnrollment));
  const confirm = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = textOf(new FormData(event.currentTarget), 'code').trim();
    void run(async () => {
      const result = await api.post<RecoveryCodes>('/api/auth/mfa/confirm', { code });
      setCodes(result.recovery_codes);
      setEnrollment(undefined);
      await reloadProfile();
    });
  };
  const disable = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => {
      await api.post('/api/auth/mfa/disable', {
        password: textOf(form, 'password'),
        code: textOf(form, 'code').trim(),
      });
      await reloadProfile();
    });
  };

  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm">
        Two-factor authentication is{' '}
        <strong className={profile.mfa_enabled ? 'text-up' : 'text-yellow-300'}>
          {profile.mfa_enabled ? 'on' : 'off'}
        </strong>
        .
      </p>
      {codes !== undefined && <RecoveryCodesPanel codes={codes} />}
      {!profile.mfa_enabled && enrollment === undefined && (
        <Button onClick={enroll}>Set up two-factor authentication</Button>
      )}
      {enrollment !== undefined && (
        <div className="flex gap-4">
          <img
            src={enrollment.qr_code}
            alt="QR code for your authenticator app"
            className="h-44 w-44 rounded bg-white p-1"
          />
          <form
            className="flex flex-col gap-2"
            onSubmit={confirm}
            aria-label="Confirm two-factor code"
          >
            <p className="text-sm">
              Scan the code with an authenticator app, or enter this secret:
            </p>
            <code className="num break-all text-sm text-accent">{enrollment.secret}</code>
            <Field
              label="Code from the app"
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              required
            />
            <Button type="submit" tone="primary">
              Turn on
            </Button>
          </form>
        </div>
      )}
      {profile.mfa_enabled && (
        <form
          className="flex max-w-sm flex-col gap-2"
          onSubmit={disable}
          aria-label="Turn off two-factor authentication"
        >
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
          />
          <Field
            label="Authenticator or recovery code"
            name="code"
            autoComplete="one-time-code"
            required
          />
          <Button type="submit" tone="danger">
            Turn off two-factor authentication
          </Button>
        </form>
      )}
      <ErrorLine message={error} />
    </div>
  );
}
