// The API's shapes, taken from the server's own TypeBox schemas so the two cannot drift.
// Replies without a schema (market data, the portfolio) use the server's own types.

import type { Static } from 'typebox';
import type { Holding, Portfolio } from '../../../src/exchange/trading.ts';
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
  OrderDetailReply,
  OrderReply,
  PlacedReply,
  PostingReply,
  TransactionsReply,
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
/** GET /api/trading/order/:id: the order with its holds and releases. */
export type OrderDetail = Static<typeof OrderDetailReply>;
/** GET /api/trading/transactions: one row per business event, newest first, postings nested. */
export type TransactionPage = Static<typeof TransactionsReply>;
export type Transaction = TransactionPage['transactions'][number];
export type Posting = Static<typeof PostingReply>;

/** GET /api/market/stocks and the `ticker` message. */
export type Ticker = TickerView;
/** GET /api/trading/portfolio. */
export type { Holding, Portfolio };
