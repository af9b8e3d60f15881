// The state-changing calls of the API, as plain values: a command in, an answer out, both of them
// JSON that crosses the wire between nodes unchanged. A refusal is an answer (its code and
// message), never an exception, so the leader's refusal reaches the client exactly as it left.

import { ApiError, type ErrorCode } from '../errors.ts';
import { CASH, type AmendRequest, type OrderRequest } from '../exchange/exchange.ts';
import type { OrderView } from '../exchange/orders.ts';
import type { PlacedOrder } from '../exchange/trading.ts';
import type { Venue } from '../exchange/venue.ts';
import type { SymbolStatus } from '../store/schema.ts';

export type Command =
  | { kind: 'place'; userId: number; order: OrderRequest }
  | { kind: 'cancel'; userId: number; orderId: number }
  | { kind: 'amend'; userId: number; orderId: number; amend: AmendRequest }
  /** An administrator's credit (positive) or debit (negative), in paise or shares. */
  | { kind: 'adjust'; admin: number; userId: number; asset: string; amount: number; reason: string }
  | { kind: 'set-status'; admin: number; symbol: string; status: SymbolStatus }
  /** Credits a registered account's starting cash and marks it opened. */
  | { kind: 'open-account'; userId: number; cash: number };

export type CommandKind = Command['kind'];

/** A balance after an adjustment, in paise for cash and shares otherwise. */
export interface BalanceAfter {
  asset: string;
  available: number;
  held: number;
}

export interface CommandResults {
  place: PlacedOrder;
  cancel: OrderView;
  amend: PlacedOrder;
  adjust: BalanceAfter;
  'set-status': { changed: true };
  'open-account': { opened: true };
}

export type CommandRefusal = { ok: false; code: ErrorCode; message: string };
export type Answer<T> = { ok: true; value: T } | CommandRefusal;
export type AnswerOf<C extends Command> = Answer<CommandResults[C['kind']]>;

/** Runs trading commands: on this node's sequencer, or forwarded to the leader's. */
export interface TradingCommands {
  execute<C extends Command>(command: C): Promise<AnswerOf<C>>;
}

export const refusal = (code: ErrorCode, message: string): CommandRefusal => ({
  ok: false,
  code,
  message,
});

/** The answer's value, or the refusal as the ApiError the HTTP edge turns into its reply. */
export function unwrap<T>(answer: Answer<T>): T {
  if (!answer.ok) throw new ApiError(answer.code, answer.message);
  return answer.value;
}

/**
 * Runs commands on this node's venue: the only place state changes. The trading service and the
 * venue report refusals as ApiErrors (and an unconfirmed journal write as TRADING_UNAVAILABLE);
 * they become answers here, once, at the boundary. Anything else is a bug or an I/O failure and
 * stays an exception.
 */
export class LocalCommands implements TradingCommands {
  constructor(private readonly venue: Venue) {}

  async execute<C extends Command>(command: C): Promise<AnswerOf<C>> {
    try {
      return (await this.run(command)) as AnswerOf<C>;
    } catch (error) {
      if (error instanceof ApiError) return refusal(error.code, error.message);
      throw error;
    }
  }

  private async run(command: Command): Promise<Answer<CommandResults[CommandKind]>> {
    const { trading } = this.venue;
    switch (command.kind) {
      case 'place':
        return ok(await trading.place(command.userId, command.order));
      case 'cancel':
        return ok(await trading.cancel(command.userId, command.orderId));
      case 'amend':
        return ok(await trading.amend(command.userId, command.orderId, command.amend));
      case 'adjust':
        return this.adjust(command);
      case 'set-status': {
        const { symbol, status, admin } = command;
        return (await this.venue.setSymbolStatus(symbol, status, admin))
          ? ok({ changed: true as const })
          : refusal('NOT_FOUND', `no symbol ${symbol}`);
      }
      case 'open-account':
        await this.venue.openAccount(command.userId, command.cash);
        return ok({ opened: true as const });
    }
  }

  private async adjust(
    command: Extract<Command, { kind: 'adjust' }>,
  ): Promise<Answer<BalanceAfter>> {
    const { exchange } = this.venue;
    const { userId, asset, amount, reason, admin } = command;
    // Checked here, on the sequencer, because only its list of symbols is authoritative.
    if (asset !== CASH && exchange.market(asset) === undefined)
      return refusal('UNKNOWN_SYMBOL', `no symbol ${asset}`);
    const result = await exchange.adjust(userId, asset, amount, reason, admin);
    if (!result.ok) {
      const code =
        result.code === 'INSUFFICIENT_SHARES' || result.code === 'BALANCE_OVERFLOW'
          ? result.code
          : 'INSUFFICIENT_FUNDS';
      return refusal(
        code,
        `the adjustment was refused: ${result.code.toLowerCase().replaceAll('_', ' ')}`,
      );
    }
    const balance = exchange.ledger.balance(userId, asset);
    return ok({ asset, available: balance.available, held: balance.held });
  }
}

function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}
