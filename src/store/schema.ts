// The database's tables as Kysely sees them. Integers are numbers (see SafeIntegerPlugin);
// booleans are 0/1 so both dialects store them alike; times are epoch milliseconds.

import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type Flag = 0 | 1;
export type Role = 'user' | 'admin';
export type Side = 'BUY' | 'SELL';
export type OrderMode = 'MARKET' | 'LIMIT' | 'STOP_LOSS' | 'STOP_LIMIT';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'DAY';
export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type SymbolStatus = 'ACTIVE' | 'HALTED';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  /** Lower-cased username: usernames are unique regardless of case. */
  username_key: string;
  email_enc: string | null;
  /** Blind index (HMAC) of the normalized email, for lookups without decrypting. */
  email_index: string | null;
  full_name_enc: string | null;
  password_hash: string;
  role: Role;
  must_change_password: Generated<Flag>;
  mfa_enabled: Generated<Flag>;
  mfa_secret_enc: string | null;
  /** The last TOTP time step accepted, so a code cannot be used twice. */
  mfa_last_step: number | null;
  disabled: Generated<Flag>;
  /**
   * 0 from registration until the journal writes the starting cash, in the same transaction
   * that sets it to 1: an unopened account cannot log in, and startup removes it.
   */
  opened: Generated<Flag>;
  created_at: number;
  updated_at: number;
}

export interface SymbolsTable {
  symbol: string;
  name: string;
  tick_size: number;
  lot_size: Generated<number>;
  reference_price: number;
  status: Generated<SymbolStatus>;
  last_sequence: Generated<number>;
  last_price: number | null;
  /** JSON `[{ sequence, lastPrice }]`: the book's trigger checks with stops still queued. */
  stop_triggers: Generated<string>;
  created_at: number;
}

export interface BalancesTable {
  user_id: number;
  asset: string;
  available: Generated<number>;
  held: Generated<number>;
  updated_at: number;
}

export interface OrdersTable {
  id: number;
  user_id: number;
  client_order_id: string | null;
  symbol: string;
  side: Side;
  mode: OrderMode;
  time_in_force: TimeInForce;
  price: number | null;
  stop_price: number | null;
  quantity: number;
  filled_quantity: Generated<number>;
  status: string;
  limit_price: number | null;
  post_only: Generated<Flag>;
  self_trade: Generated<string>;
  filled_notional: Generated<number>;
  fees_paid: Generated<number>;
  fee_remainder: Generated<number>;
  held_amount: Generated<number>;
  cancel_reason: string | null;
  sequence: number;
  created_at: number;
  updated_at: number;
}

export interface TradesTable {
  id: number;
  symbol: string;
  price: number;
  quantity: number;
  buy_order_id: number;
  sell_order_id: number;
  buyer_id: number;
  seller_id: number;
  aggressor_side: Side;
  buyer_fee: Generated<number>;
  seller_fee: Generated<number>;
  sequence: number;
  created_at: number;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  tx_id: number;
  user_id: number | null;
  account: string;
  asset: string;
  amount: number;
  kind: string;
  ref: string | null;
  created_at: number;
}

export interface AuditLogTable {
  seq: number;
  kind: string;
  payload: string;
  leaf_hash: string;
  created_at: number;
}

/** The root of leaves [64·tile, 64·tile + 64), hex, written with the leaf that completes it. */
export interface AuditTilesTable {
  tile: number;
  hash: string;
}

export interface TreeHeadsTable {
  tree_size: number;
  root_hash: string;
  timestamp: number;
  key_id: string;
  signature: string;
  /** Base64 hashes, comma-separated: PROOF(previous head's size, this size). Null for the first. */
  consistency_proof: string | null;
}

export interface SecurityEventsTable {
  id: Generated<number>;
  event_type: string;
  severity: Severity;
  source_ip: string | null;
  user_id: number | null;
  description: string;
  details: string | null;
  created_at: number;
}

/** A security event a node other than the leader saw, until the leader stores it. */
export type SecurityEventInboxTable = SecurityEventsTable;

/** A manual block; automatic ones live in memory only. Times are epoch ms. */
export interface IpBlocksTable {
  address_key: string;
  reason: string;
  /** Who placed it: `admin <id>` or `operator (local socket)`. */
  actor: string;
  since: number;
  until: number;
}

/** The sequencer's lease in a cluster: one row (id 1). Times are the database's clock, epoch ms. */
export interface ClusterLeaseTable {
  id: number;
  /** Grows by one each time a node takes the lease; a write under an older one is refused. */
  epoch: number;
  node_id: string;
  /** The leader's internal base URL, where the other nodes send their commands. */
  address: string;
  acquired_at: number;
  expires_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: number;
  last_used_at: number;
  revoked_at: number | null;
  revoke_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface MfaRecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  used_at: number | null;
}

export interface MfaChallengesTable {
  id: string;
  user_id: number;
  expires_at: number;
  failed_attempts: Generated<number>;
  used_at: number | null;
}

export interface ApiKeysTable {
  id: string;
  user_id: number;
  label: string;
  public_key: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface DataKeysTable {
  id: number;
  wrapped_key: string;
  created_at: number;
  retired_at: number | null;
}

export interface Database {
  users: UsersTable;
  symbols: SymbolsTable;
  balances: BalancesTable;
  orders: OrdersTable;
  trades: TradesTable;
  ledger_entries: LedgerEntriesTable;
  audit_log: AuditLogTable;
  audit_tiles: AuditTilesTable;
  tree_heads: TreeHeadsTable;
  security_events: SecurityEventsTable;
  ip_blocks: IpBlocksTable;
  cluster_lease: ClusterLeaseTable;
  security_event_inbox: SecurityEventInboxTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  api_keys: ApiKeysTable;
  data_keys: DataKeysTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SymbolRow = Selectable<SymbolsTable>;
export type NewSymbol = Insertable<SymbolsTable>;
export type BalanceRow = Selectable<BalancesTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type SecurityEventRow = Selectable<SecurityEventsTable>;
export type IpBlockRow = Selectable<IpBlocksTable>;
export type LeaseRow = Selectable<ClusterLeaseTable>;
