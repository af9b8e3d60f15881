// The API's shapes, taken from the server's own TypeBox schemas so the two cannot drift.
// Replies without a schema (market data, the portfolio, transactions) use the server's own types.

import type { Static } from 'typebox';
import type { Holding, Portfolio, Trading } from '../../../src/exchange/trading.ts';
import type { TickerView } from '../../../src/http/ticker-view.ts';
import type {
  ApiKeyReply,
  LoginReply,
  MfaEnrollReply,
  OwnSecurityEventsReply,
  PasswordChangeReply,
  ProfileReply,
  RecoveryCodesReply,
  RegisterBody,
  TokenPairReply,
} from '../../../src/http/schemas/auth.ts';
import type { ErrorReply } from '../../../src/http/schemas/common.ts';
import type { HealthReply, SystemStatsReply } from '../../../src/http/schemas/system.ts';
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
export type OwnSecurityEvents = Static<typeof OwnSecurityEventsReply>;
export type Profile = Static<typeof ProfileReply>;
export type RecoveryCodes = Static<typeof RecoveryCodesReply>;
export type Registration = Static<typeof RegisterBody>;
export type TokenPair = Static<typeof TokenPairReply>;
export type ErrorBody = Static<typeof ErrorReply>;
export type SystemStats = Static<typeof SystemStatsReply>;
export type Health = Static<typeof HealthReply>;
export type MarketRules = Static<typeof MarketRulesReply>;
export type NewOrder = Static<typeof OrderBody>;
export type Order = Static<typeof OrderReply>;
export type Placed = Static<typeof PlacedReply>;

/** GET /api/market/stocks and the `ticker` message. */
export type Ticker = TickerView;
/** GET /api/trading/portfolio. */
export type { Holding, Portfolio };
/** GET /api/trading/transactions: the ledger entries of the caller, newest first. */
export type TransactionPage = Awaited<ReturnType<Trading['transactions']>>;
export type Transaction = TransactionPage['transactions'][number];
