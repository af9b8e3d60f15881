// Test support: fast-check generators for command streams over a narrow price band, so orders
// cross, stops trigger and owners collide often; a few commands carry out-of-bounds values.
import fc from 'fast-check';
import type { EngineCommand, EngineLimits, OrderType, Side, TimeInForce } from '../types.ts';

/** Small bounds so that out-of-range values are cheap to generate. */
export const TEST_LIMITS: EngineLimits = { maxPrice: 1_000, maxQuantity: 100 };

const BAD_NUMBERS = [0, -1, 1.5, Number.NaN, 1_001, 2 ** 53];

const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 150, arbitrary: good }, { weight: 1, arbitrary: bad });

const price = mostly(fc.integer({ min: 97, max: 103 }), fc.constantFrom(...BAD_NUMBERS));
const quantity = mostly(fc.integer({ min: 1, max: 8 }), fc.constantFrom(...BAD_NUMBERS));
/** `arb` in `present` cases out of `present + absent`, else undefined. */
const maybe = <T>(arb: fc.Arbitrary<T>, present: number, absent: number) =>
  fc.oneof(
    { weight: present, arbitrary: arb },
    { weight: absent, arbitrary: fc.constant(undefined) },
  );

const placeTemplate = fc.record({
  kind: fc.constant('place' as const),
  duplicate: fc.integer({ min: 0, max: 30 }).map((n) => n === 0),
  pick: fc.nat(),
  owner: mostly(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, -5, 2.5)),
  side: mostly(fc.constantFrom<Side>('BUY', 'SELL'), fc.constant('HOLD' as Side)),
  orderType: mostly(
    fc.constantFrom<OrderType>(
      'LIMIT',
      'LIMIT',
      'LIMIT',
      'LIMIT',
      'LIMIT',
      'LIMIT',
      'MARKET',
      'MARKET',
      'STOP_LOSS',
      'STOP_LIMIT',
      'STOP_LIMIT',
    ),
    fc.constant('ICEBERG' as OrderType),
  ),
  quantity,
  price,
  stopPrice: price,
  limitPrice: maybe(price, 1, 1),
  timeInForce: maybe(
    mostly(
      fc.constantFrom<TimeInForce>('GTC', 'IOC', 'FOK', 'DAY'),
      fc.constant('GTD' as TimeInForce),
    ),
    2,
    1,
  ),
  postOnly: fc
    .integer({ min: 0, max: 9 })
    .map((n) => (n === 0 ? true : n === 1 ? false : undefined)),
  selfTrade: maybe(
    mostly(fc.constantFrom('CANCEL_NEWEST', 'CANCEL_OLDEST', 'CANCEL_BOTH'), fc.constant('NONE')),
    2,
    1,
  ),
  /** Adds a field the order type does not take. */
  misfit: fc.integer({ min: 0, max: 40 }).map((n) => n === 0),
});

const cancelTemplate = fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() });

const amendTemplate = fc.record({
  kind: fc.constant('amend' as const),
  pick: fc.nat(),
  quantity: maybe(quantity, 1, 1),
  price: maybe(price, 1, 1),
  stopPrice: maybe(price, 1, 2),
});

const runStopsTemplate = fc.record({ kind: fc.constant('runStops' as const) });

const endTemplate = fc.record({
  kind: fc.constant('end' as const),
  time: mostly(fc.integer({ min: 0, max: 1e9 }), fc.constantFrom(-1, 0.5)),
});

const template = fc.oneof(
  { weight: 12, arbitrary: placeTemplate },
  { weight: 3, arbitrary: cancelTemplate },
  { weight: 3, arbitrary: amendTemplate },
  { weight: 2, arbitrary: runStopsTemplate },
  { weight: 1, arbitrary: endTemplate },
);

type Template = typeof template extends fc.Arbitrary<infer T> ? T : never;

/** Turns templates into commands: new ids count up; cancels and amends aim at earlier ids. */
function toCommands(templates: Template[]): EngineCommand[] {
  const ids: number[] = [];
  // Mostly one of the latest few ids (likely still open), sometimes any earlier one.
  const target = (pick: number): number => {
    if (ids.length === 0) return 999;
    const window = pick % 4 === 0 ? ids.length : Math.min(ids.length, 5);
    return ids[ids.length - 1 - ((pick >>> 2) % window)]!;
  };
  const commands: EngineCommand[] = [];
  for (const t of templates) {
    if (t.kind === 'cancel') {
      commands.push({ type: 'CANCEL', orderId: target(t.pick) } as EngineCommand);
    } else if (t.kind === 'amend') {
      commands.push({
        type: 'AMEND',
        orderId: target(t.pick),
        ...defined({ quantity: t.quantity, price: t.price, stopPrice: t.stopPrice }),
      } as EngineCommand);
    } else if (t.kind === 'runStops') {
      commands.push({ type: 'RUN_STOPS' });
    } else if (t.kind === 'end') {
      commands.push({ type: 'END_SESSION', time: t.time } as EngineCommand);
    } else {
      const orderId = t.duplicate && ids.length > 0 ? target(t.pick) : ids.length + 1;
      if (orderId === ids.length + 1) ids.push(orderId);
      const type = t.orderType;
      const limitPriced = type === 'LIMIT' || type === 'STOP_LIMIT';
      const stop = type === 'STOP_LOSS' || type === 'STOP_LIMIT';
      const collared = type === 'MARKET' || type === 'STOP_LOSS';
      commands.push({
        type: 'PLACE',
        orderId,
        owner: t.owner,
        side: t.side,
        orderType: type,
        quantity: t.quantity,
        ...defined({
          price: limitPriced || t.misfit ? t.price : undefined,
          stopPrice: stop ? t.stopPrice : undefined,
          limitPrice: collared || t.misfit ? t.limitPrice : undefined,
          timeInForce:
            type === 'MARKET' && !t.misfit && (t.timeInForce === 'GTC' || t.timeInForce === 'DAY')
              ? 'IOC'
              : t.timeInForce,
          postOnly: type === 'LIMIT' || t.misfit ? t.postOnly : undefined,
          selfTrade: t.selfTrade,
        }),
      } as EngineCommand);
    }
  }
  return commands;
}

function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** A stream of minLength..maxLength commands. */
export const commandStream = (maxLength: number, minLength = 1): fc.Arbitrary<EngineCommand[]> =>
  fc.array(template, { minLength, maxLength, size: 'max' }).map(toCommands);
