// The navigation bar: the pages, who is signed in and Log out. On a wide screen all of it sits
// in one row; on a narrow one (a phone) it folds behind a Menu button, which opens a full-width
// list with targets big enough to tap, and closes again once a page is chosen (or on Esc).

import { useState } from 'react';
import { ConnectionBadge } from '../live/connection-badge.tsx';
import type { PageEntry } from '../pages/index.ts';
import { Link } from '../router.tsx';

export function MainNav(props: {
  pages: readonly PageEntry[];
  current: PageEntry | undefined;
  userName: string;
  onSignOut: () => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <nav
      aria-label="Main"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) setOpen(false);
      }}
      className="flex flex-wrap items-center gap-1 border-b border-edge bg-panel px-3 py-1.5"
    >
      <span className="mr-4 font-semibold text-ink">SSE</span>
      <span className="ml-auto wide:order-1">
        <ConnectionBadge />
      </span>
      <button
        type="button"
        aria-expanded={open}
        aria-controls="main-menu"
        onClick={() => setOpen(!open)}
        className="rounded border border-edge px-3 py-1.5 hover:bg-edge wide:hidden"
      >
        {open ? 'Close' : 'Menu'}
      </button>
      <div
        id="main-menu"
        className={`${open ? 'flex' : 'hidden'} w-full flex-col gap-1 py-2 wide:contents`}
      >
        {props.pages.map((page) => (
          <Link
            key={page.path}
            href={page.path}
            aria-current={page === props.current ? 'page' : undefined}
            onClick={() => setOpen(false)}
            className="rounded px-3 py-2 text-dim hover:text-ink aria-[current=page]:bg-edge aria-[current=page]:text-ink wide:py-1"
          >
            {page.title}
          </Link>
        ))}
        <span className="flex items-center justify-between gap-3 border-t border-edge px-3 pt-2 wide:order-2 wide:ml-3 wide:border-0 wide:p-0">
          <span className="truncate text-dim" data-testid="user-name">
            {props.userName}
          </span>
          <button
            type="button"
            className="rounded border border-edge px-3 py-2 hover:bg-edge wide:px-2 wide:py-0.5"
            onClick={props.onSignOut}
          >
            Log out
          </button>
        </span>
      </div>
    </nav>
  );
}
