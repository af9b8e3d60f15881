// The account: who you are, the password, two-factor authentication, API keys and the account's
// own security events.

import { AccountActivity } from '../components/account-activity.tsx';
import { ApiKeys } from '../components/api-keys.tsx';
import { Panel } from '../components/form.tsx';
import { MfaSettings } from '../components/mfa-settings.tsx';
import { PasswordChange } from '../components/password-change.tsx';
import { useProfile } from '../session/session.tsx';

export function AccountPage() {
  const profile = useProfile();
  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3 p-3 wide:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)]">
      <h1 className="sr-only">Account</h1>
      <div className="flex flex-col gap-3">
        <Panel title="Profile">
          <dl className="grid grid-cols-[8rem_1fr] gap-y-1 p-3 text-sm">
            <dt className="text-dim">Name</dt>
            <dd data-testid="profile-name">{profile.full_name ?? '—'}</dd>
            <dt className="text-dim">Username</dt>
            <dd>{profile.username}</dd>
            <dt className="text-dim">Email</dt>
            <dd>{profile.email ?? '—'}</dd>
            <dt className="text-dim">Role</dt>
            <dd>{profile.role}</dd>
            <dt className="text-dim">Member since</dt>
            <dd>
              {new Date(profile.created_at).toLocaleDateString('en-IN', { dateStyle: 'medium' })}
            </dd>
          </dl>
        </Panel>
        <Panel title="Password">
          <div className="p-3">
            <PasswordChange />
          </div>
        </Panel>
        <Panel title="Two-factor authentication">
          <div className="p-3">
            <MfaSettings />
          </div>
        </Panel>
      </div>
      <div className="flex flex-col gap-3">
        <Panel title="API keys">
          <div className="p-3">
            <ApiKeys />
          </div>
        </Panel>
        <Panel title="Security activity">
          <div className="p-3">
            <AccountActivity />
          </div>
        </Panel>
      </div>
    </main>
  );
}
