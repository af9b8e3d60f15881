// Turns every 64-bit integer the drivers read (as bigint) into a number, and refuses any value
// that a number cannot hold exactly: money is never silently rounded on the way out.

import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

export class UnsafeIntegerError extends Error {
  constructor(column: string, value: bigint) {
    super(`column ${column} holds ${value}, beyond the safe integer range`);
    this.name = 'UnsafeIntegerError';
  }
}

function toSafeNumber(column: string, value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new UnsafeIntegerError(column, value);
  }
  return Number(value);
}

export class SafeIntegerPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const { result } = args;
    for (const row of result.rows) {
      for (const column in row) {
        const value = row[column];
        if (typeof value === 'bigint') row[column] = toSafeNumber(column, value);
      }
    }
    return Promise.resolve(result);
  }
}
