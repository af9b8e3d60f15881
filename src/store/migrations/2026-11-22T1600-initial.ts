// The initial schema. Money and quantities are BIGINT paise and shares; CHECK constraints back the
// ledger invariants (sizes > 0, balances and holds >= 0). Times are BIGINT epoch milliseconds.

import { sql } from 'kysely';
import { notNull, withAutoId, type MigrationDb } from './schema-builder.ts';

export async function up(db: MigrationDb): Promise<void> {
  await withAutoId(db, db.schema.createTable('users'))
    .addColumn('username', 'text', notNull)
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('email_enc', 'text')
    .addColumn('email_index', 'text', (c) => c.unique())
    .addColumn('full_name_enc', 'text')
    .addColumn('password_hash', 'text', notNull)
    .addColumn('role', 'text', notNull)
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mfa_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mfa_secret_enc', 'text')
    .addColumn('mfa_last_step', 'bigint')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .addCheckConstraint('users_role', sql`role in ('user', 'admin')`)
    .execute();

  await db.schema
    .createTable('symbols')
    .addColumn('symbol', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', notNull)
    .addColumn('tick_size', 'bigint', notNull)
    .addColumn('lot_size', 'bigint', (c) => c.notNull().defaultTo(1))
    .addColumn('reference_price', 'bigint', notNull)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('ACTIVE'))
    // Where the symbol's book stands: its last event sequence and last trade price.
    .addColumn('last_sequence', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_price', 'bigint')
    .addColumn('created_at', 'bigint', notNull)
    .addCheckConstraint('symbols_tick_size', sql`tick_size > 0`)
    .addCheckConstraint('symbols_lot_size', sql`lot_size > 0`)
    .addCheckConstraint('symbols_reference_price', sql`reference_price > 0`)
    .addCheckConstraint('symbols_status', sql`status in ('ACTIVE', 'HALTED')`)
    .execute();

  await db.schema
    .createTable('balances')
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('asset', 'text', notNull)
    .addColumn('available', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('held', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', notNull)
    .addPrimaryKeyConstraint('balances_pk', ['user_id', 'asset'])
    .addCheckConstraint('balances_available', sql`available >= 0`)
    .addCheckConstraint('balances_held', sql`held >= 0`)
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('client_order_id', 'text')
    .addColumn('symbol', 'text', (c) => c.notNull().references('symbols.symbol'))
    .addColumn('side', 'text', notNull)
    .addColumn('mode', 'text', notNull)
    .addColumn('time_in_force', 'text', notNull)
    .addColumn('price', 'bigint')
    .addColumn('stop_price', 'bigint')
    .addColumn('quantity', 'bigint', notNull)
    .addColumn('filled_quantity', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', notNull)
    .addColumn('limit_price', 'bigint')
    .addColumn('post_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('self_trade', 'text', (c) => c.notNull().defaultTo('CANCEL_NEWEST'))
    .addColumn('filled_notional', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('fees_paid', 'bigint', (c) => c.notNull().defaultTo(0))
    // The sub-paisa remainder of the order's fee accrual (0..9999), so fees keep rounding up
    // once per order across a restart.
    .addColumn('fee_remainder', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('held_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cancel_reason', 'text')
    // Time priority in the book: the engine sequence that last queued the order.
    .addColumn('sequence', 'bigint', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .addUniqueConstraint('orders_client_order_id', ['user_id', 'client_order_id'])
    .addCheckConstraint('orders_side', sql`side in ('BUY', 'SELL')`)
    .addCheckConstraint('orders_mode', sql`mode in ('MARKET', 'LIMIT', 'STOP_LOSS', 'STOP_LIMIT')`)
    .addCheckConstraint('orders_tif', sql`time_in_force in ('GTC', 'IOC', 'FOK', 'DAY')`)
    .addCheckConstraint('orders_quantity', sql`quantity > 0`)
    .addCheckConstraint('orders_filled', sql`filled_quantity >= 0 and filled_quantity <= quantity`)
    .addCheckConstraint('orders_price', sql`price is null or price > 0`)
    .addCheckConstraint('orders_stop_price', sql`stop_price is null or stop_price > 0`)
    .addCheckConstraint('orders_held_amount', sql`held_amount >= 0`)
    .addCheckConstraint('orders_filled_notional', sql`filled_notional >= 0`)
    .addCheckConstraint('orders_fees_paid', sql`fees_paid >= 0`)
    .execute();
  await db.schema.createIndex('orders_user').on('orders').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('orders_open').on('orders').columns(['symbol', 'status']).execute();

  await db.schema
    .createTable('trades')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('symbol', 'text', (c) => c.notNull().references('symbols.symbol'))
    .addColumn('price', 'bigint', notNull)
    .addColumn('quantity', 'bigint', notNull)
    .addColumn('buy_order_id', 'bigint', (c) => c.notNull().references('orders.id'))
    .addColumn('sell_order_id', 'bigint', (c) => c.notNull().references('orders.id'))
    .addColumn('buyer_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('seller_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('aggressor_side', 'text', notNull)
    .addColumn('buyer_fee', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('seller_fee', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('sequence', 'bigint', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .addCheckConstraint('trades_price', sql`price > 0`)
    .addCheckConstraint('trades_quantity', sql`quantity > 0`)
    .addCheckConstraint('trades_fees', sql`buyer_fee >= 0 and seller_fee >= 0`)
    .addCheckConstraint('trades_aggressor', sql`aggressor_side in ('BUY', 'SELL')`)
    .execute();
  await db.schema.createIndex('trades_symbol').on('trades').columns(['symbol', 'id']).execute();
  await db.schema.createIndex('trades_buyer').on('trades').columns(['buyer_id', 'id']).execute();
  await db.schema.createIndex('trades_seller').on('trades').columns(['seller_id', 'id']).execute();

  // Double entry: the entries of one tx_id sum to zero per asset. A null user_id is one of the
  // exchange's own accounts (fees, the outside world that deposits come from).
  await withAutoId(db, db.schema.createTable('ledger_entries'))
    .addColumn('tx_id', 'bigint', notNull)
    .addColumn('user_id', 'bigint', (c) => c.references('users.id'))
    .addColumn('account', 'text', notNull)
    .addColumn('asset', 'text', notNull)
    .addColumn('amount', 'bigint', notNull)
    .addColumn('kind', 'text', notNull)
    .addColumn('ref', 'text')
    .addColumn('created_at', 'bigint', notNull)
    .addCheckConstraint('ledger_entries_amount', sql`amount <> 0`)
    .execute();
  await db.schema.createIndex('ledger_tx').on('ledger_entries').column('tx_id').execute();
  await db.schema
    .createIndex('ledger_user')
    .on('ledger_entries')
    .columns(['user_id', 'id'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('kind', 'text', notNull)
    .addColumn('payload', 'text', notNull)
    .addColumn('leaf_hash', 'text', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .addCheckConstraint('audit_log_seq', sql`seq >= 0`)
    .execute();

  await db.schema
    .createTable('tree_heads')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', 'text', notNull)
    .addColumn('timestamp', 'bigint', notNull)
    .addColumn('key_id', 'text', notNull)
    .addColumn('signature', 'text', notNull)
    .execute();

  await withAutoId(db, db.schema.createTable('security_events'))
    .addColumn('event_type', 'text', notNull)
    .addColumn('severity', 'text', notNull)
    .addColumn('source_ip', 'text')
    .addColumn('user_id', 'bigint')
    .addColumn('description', 'text', notNull)
    .addColumn('details', 'text')
    .addColumn('created_at', 'bigint', notNull)
    .addCheckConstraint(
      'security_events_severity',
      sql`severity in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')`,
    )
    .execute();
  await db.schema
    .createIndex('security_events_time')
    .on('security_events')
    .column('created_at')
    .execute();
  await db.schema
    .createIndex('security_events_ip')
    .on('security_events')
    .column('source_ip')
    .execute();

  // A session is one refresh-token family: every rotation stays in it, and revoking it ends
  // the refresh tokens and the access tokens (their `sid` claim) together.
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('last_used_at', 'bigint', notNull)
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoke_reason', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  // Opaque refresh tokens, stored as SHA-256 hashes; `used_at` marks a rotated token, whose
  // reappearance is reuse.
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('expires_at', 'bigint', notNull)
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('refresh_tokens_session')
    .on('refresh_tokens')
    .column('session_id')
    .execute();

  await withAutoId(db, db.schema.createTable('mfa_recovery_codes'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('code_hash', 'text', notNull)
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('mfa_recovery_codes_user')
    .on('mfa_recovery_codes')
    .column('user_id')
    .execute();

  // The first step of an MFA login; burned after use or after too many wrong codes.
  await db.schema
    .createTable('mfa_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('expires_at', 'bigint', notNull)
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('label', 'text', notNull)
    .addColumn('public_key', 'text', notNull)
    .addColumn('scopes', 'text', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();

  // Data keys wrapped by the master key; `id` is the key version referenced by ciphertexts.
  await db.schema
    .createTable('data_keys')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('wrapped_key', 'text', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('retired_at', 'bigint')
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of [
    'data_keys',
    'api_keys',
    'mfa_challenges',
    'mfa_recovery_codes',
    'refresh_tokens',
    'sessions',
    'security_events',
    'tree_heads',
    'audit_log',
    'ledger_entries',
    'trades',
    'orders',
    'balances',
    'symbols',
    'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
