// The shell: the session gate (loading, sign-in, forced password change) and, once signed in,
// the navigation bar, the current page and the toasts of the user's fills.

import { MainNav } from './components/main-nav.tsx';
import { OrderToasts } from './components/order-toasts.tsx';
import { PasswordChange } from './components/password-change.tsx';
import { PAGES } from './pages/index.ts';
import { SignInPage } from './pages/sign-in.tsx';
import { Link, usePath } from './router.tsx';
import { useSession } from './session/session.tsx';

function NotFound() {
  return (
    <main className="p-4">
      <h1 className="text-lg font-semibold">No such page</h1>
      <Link href="/" className="text-accent underline">
        Back to trading
      </Link>
    </main>
  );
}

export function App() {
  const { state, signOut } = useSession();
  const path = usePath();

  if (state.status === 'loading') {
    return (
      <div
        className="flex h-full items-center justify-center text-dim"
        role="status"
        aria-live="polite"
      >
        Loading…
      </div>
    );
  }
  if (state.status === 'signed-out') return <SignInPage />;
  const { profile } = state;
  if (profile.password_change_required) {
    return (
      <main className="mx-3 mt-16 max-w-sm rounded border border-edge bg-panel p-6 sm:mx-auto">
        <h1 className="mb-2 text-xl font-semibold">Choose a new password</h1>
        <p className="mb-4 text-sm text-dim">
          This account must change its password before it can trade.
        </p>
        <PasswordChange />
        <button
          type="button"
          className="mt-4 text-sm text-accent underline"
          onClick={() => void signOut()}
        >
          Log out
        </button>
      </main>
    );
  }

  const pages = PAGES.filter((page) => page.admin !== true || profile.role === 'admin');
  const current = pages.find((page) => page.path === path);
  const Page = current?.component ?? NotFound;
  return (
    <div className="flex h-full flex-col">
      <MainNav
        pages={pages}
        current={current}
        userName={profile.full_name ?? profile.username}
        onSignOut={() => void signOut()}
      />
      <div className="min-h-0 flex-1 overflow-auto" data-testid="page">
        <Page />
      </div>
      <OrderToasts />
    </div>
  );
}
