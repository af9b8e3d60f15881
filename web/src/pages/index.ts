// The terminal's pages, in navigation order. A new page is one file here in pages/ and one
// entry in this list; `admin` pages are listed only for administrators.

import type { ComponentType } from 'react';
import { AccountPage } from './account.tsx';
import { MerklePage } from './merkle.tsx';
import { PortfolioPage } from './portfolio.tsx';
import { SecurityPage } from './security.tsx';
import { SystemPage } from './system.tsx';
import { TradePage } from './trade.tsx';

export interface PageEntry {
  path: string;
  title: string;
  component: ComponentType;
  admin?: boolean;
}

export const PAGES: readonly PageEntry[] = [
  { path: '/', title: 'Trade', component: TradePage },
  { path: '/portfolio', title: 'Portfolio', component: PortfolioPage },
  { path: '/system', title: 'System', component: SystemPage },
  { path: '/merkle', title: 'Merkle', component: MerklePage },
  { path: '/security', title: 'Security', component: SecurityPage, admin: true },
  { path: '/account', title: 'Account', component: AccountPage },
];
