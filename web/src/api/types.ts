// The API's shapes, taken from the server's own TypeBox schemas so the two cannot drift.
// Market data and WebSocket messages, which have no reply schema, are described in live/.

import type { Static } from 'typebox';
import type {
  ApiKeyReply,
  LoginReply,
  MfaEnrollReply,
  PasswordChangeReply,
  ProfileReply,
  RecoveryCodesReply,
  RegisterBody,
  TokenPairReply,
} from '../../../src/http/schemas/auth.ts';
import type { ErrorReply } from '../../../src/http/schemas/common.ts';
import type { SystemStatsReply } from '../../../src/http/schemas/system.ts';
import type {
  MarketRulesReply,
  OrderBody,
  OrderReply,
  PlacedReply,
} from '../../../src/http/schemas/trading.ts';

export type ApiKey = Static<typeof ApiKeyReply>;
export type LoginResult = Static<typeof LoginReply>;
export type MfaEnrollment = Static<typeof MfaEnrollReply>;
export type PasswordChanged = Static<typeof PasswordChangeReply>;
export type Profile = Static<typeof ProfileReply>;
export type RecoveryCodes = Static<typeof RecoveryCodesReply>;
export type Registration = Static<typeof RegisterBody>;
export type TokenPair = Static<typeof TokenPairReply>;
export type ErrorBody = Static<typeof ErrorReply>;
export type SystemStats = Static<typeof SystemStatsReply>;
export type MarketRules = Static<typeof MarketRulesReply>;
export type NewOrder = Static<typeof OrderBody>;
export type Order = Static<typeof OrderReply>;
export type Placed = Static<typeof PlacedReply>;

/** GET /api/market/stocks and the `ticker` message. */
export interface Ticker {
  symbol: string;
  name: string;
  status: string;
  price: string;
  change: string;
  change_percent: string;
  open: string;
  high: string | null;
  low: string | null;
  volume: number;
  trades: number;
}

/** GET /api/trading/portfolio (src/exchange/trading.ts Portfolio). */
export interface Holding {
  symbol: string;
  quantity: number;
  available: number;
  held: number;
  avg_price: string | null;
  current_price: string | null;
  market_value: string;
  cost_basis: string;
  unrealized_pnl: string;
  unrealized_pnl_percent: string | null;
}

export interface Portfolio {
  cash: { available: string; held: string; total: string };
  holdings: Holding[];
  realized_pnl: string;
  unrealized_pnl: string;
  total_value: string;
}
