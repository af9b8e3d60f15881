// Change the password: forced before anything else at an admin's first login, and offered on
// the Account page. The server ends every other session, revokes every API key unless asked to
// keep them, and returns a new access token.

import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { PasswordChanged } from '../api/types.ts';
import { useSession } from '../session/session.tsx';
import { Button, ErrorLine, Field, textOf, useAction } from './form.tsx';

export function PasswordChange({ onDone }: { onDone?: () => void }) {
  const { reloadProfile } = useSession();
  const [done, setDone] = useState<PasswordChanged>();
  const { busy, error, setError, run } = useAction();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const next = textOf(form, 'new_password');
    if (next !== textOf(form, 'repeat')) {
      setError('The new passwords differ.');
      return;
    }
    void run(async () => {
      const result = await api.post<PasswordChanged>('/api/auth/password', {
        current_password: textOf(form, 'current_password'),
        new_password: next,
        keep_api_keys: form.get('keep_api_keys') === 'on',
      });
      if (result.access_token !== undefined) api.setToken(result.access_token);
      formElement.reset();
      setDone(result);
      await reloadProfile();
      onDone?.();
    });
  };

  return (
    <form className="flex max-w-sm flex-col gap-3" onSubmit={submit} aria-label="Change password">
      <Field
        label="Current password"
        name="current_password"
        type="password"
        autoComplete="current-password"
        required
      />
      <Field
        label="New password"
        name="new_password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
      />
      <Field
        label="Repeat the new password"
        name="repeat"
        type="password"
        autoComplete="new-password"
        required
      />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="keep_api_keys" /> Keep my API keys working (only if you know
        nobody else has your password or a key)
      </label>
      <ErrorLine message={error} />
      {done !== undefined && (
        <p role="status" className="text-sm text-up">
          Password changed; your other sessions were signed out
          {done.api_keys_revoked > 0 &&
            ` and ${done.api_keys_revoked} API key${done.api_keys_revoked === 1 ? ' was' : 's were'} revoked`}
          .
        </p>
      )}
      <Button type="submit" tone="primary" disabled={busy}>
        Change password
      </Button>
    </form>
  );
}
