// Change the password: forced before anything else at an admin's first login, and offered on
// the Account page. The server ends every other session and returns a new access token.

import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { PasswordChanged } from '../api/types.ts';
import { useSession } from '../session/session.tsx';
import { Button, ErrorLine, Field, textOf, useAction } from './form.tsx';

export function PasswordChange({ onDone }: { onDone?: () => void }) {
  const { reloadProfile } = useSession();
  const [done, setDone] = useState(false);
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
      });
      if (result.access_token !== undefined) api.setToken(result.access_token);
      formElement.reset();
      setDone(true);
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
      <ErrorLine message={error} />
      {done && (
        <p role="status" className="text-sm text-up">
          Password changed; your other sessions were signed out.
        </p>
      )}
      <Button type="submit" tone="primary" disabled={busy}>
        Change password
      </Button>
    </form>
  );
}
