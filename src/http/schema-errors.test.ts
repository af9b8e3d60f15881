import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { RegisterBody } from './schemas/auth.ts';
import { MerkleVerifyBody } from './schemas/crypto.ts';
import { OrderBody, OrdersQuery } from './schemas/trading.ts';
import { describeSchemaErrors, fieldName, type SchemaError } from './schema-errors.ts';

// The body validator's options (plugins/validation.ts): strict types, first error only.
const ajv = new Ajv({
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  coerceTypes: false,
});
addFormats.default(ajv);

function refusal(schema: TSchema, value: unknown, where = 'body') {
  const validate = ajv.compile(schema);
  expect(validate(value)).toBe(false);
  return describeSchemaErrors((validate.errors ?? []) as SchemaError[], where);
}

const order = {
  symbol: 'AAPL',
  order_type: 'BUY',
  order_mode: 'LIMIT',
  quantity: 10,
  price: '1.00',
};
const user = { username: 'trader01', email: 'a@example.com', password: 'x', full_name: 'A' };

describe('describeSchemaErrors', () => {
  it.each([
    [
      RegisterBody,
      { ...user, username: 'bad name!' },
      'body.username may contain only letters, digits, _ . -',
      { field: 'body.username', rule: 'pattern', expected: '^[A-Za-z0-9_.-]+$' },
    ],
    [
      OrderBody,
      { ...order, order_type: 'HOLD' },
      'body.order_type must be one of: BUY, SELL',
      { field: 'body.order_type', rule: 'one_of', expected: ['BUY', 'SELL'] },
    ],
    [
      OrderBody,
      { ...order, order_mode: 'limit' },
      'body.order_mode must be one of: MARKET, LIMIT, STOP_LOSS, STOP_LIMIT',
      {
        field: 'body.order_mode',
        rule: 'one_of',
        expected: ['MARKET', 'LIMIT', 'STOP_LOSS', 'STOP_LIMIT'],
      },
    ],
    [
      OrderBody,
      { ...order, quantity: 0 },
      'body.quantity must be at least 1',
      { field: 'body.quantity', rule: 'minimum', expected: 1 },
    ],
    [
      OrderBody,
      { ...order, quantity: 10_000_001 },
      'body.quantity must be at most 10000000',
      { field: 'body.quantity', rule: 'maximum', expected: 10_000_000 },
    ],
    [
      OrderBody,
      { ...order, quantity: '10' },
      'body.quantity must be a whole number',
      { field: 'body.quantity', rule: 'type', expected: ['integer'] },
    ],
    [
      OrderBody,
      { ...order, price: true },
      'body.price must be text (a JSON string) or a number',
      { field: 'body.price', rule: 'type', expected: ['string', 'number'] },
    ],
    [
      OrderBody,
      { ...order, symbol: 'aapl' },
      'body.symbol may contain only capital letters, digits, . & -',
      { field: 'body.symbol', rule: 'pattern', expected: '^[A-Z0-9.&-]+$' },
    ],
    [
      OrderBody,
      { ...order, symbol: '' },
      'body.symbol must not be empty',
      { field: 'body.symbol', rule: 'min_length', expected: 1 },
    ],
    [
      RegisterBody,
      { ...user, username: 'ab' },
      'body.username must be at least 3 characters long',
      { field: 'body.username', rule: 'min_length', expected: 3 },
    ],
    [
      RegisterBody,
      { ...user, username: 'a'.repeat(33) },
      'body.username must be at most 32 characters long',
      { field: 'body.username', rule: 'max_length', expected: 32 },
    ],
    [
      RegisterBody,
      { ...user, email: 'nope' },
      'body.email must be an email address',
      { field: 'body.email', rule: 'format', expected: 'email' },
    ],
    [
      RegisterBody,
      { username: 'trader01' },
      'body.email is required',
      { field: 'body.email', rule: 'required' },
    ],
    [
      RegisterBody,
      { ...user, role: 'admin' },
      'body has a field it does not take: "role"',
      { field: 'body', rule: 'unknown_field', expected: 'role' },
    ],
    [
      MerkleVerifyBody,
      { leaf: 'x', index: 0, proof: ['zz'], root_hash: '00'.repeat(32) },
      'body.proof[0] must be exactly 64 hex digits',
      { field: 'body.proof[0]', rule: 'pattern', expected: '^[0-9a-fA-F]{64}$' },
    ],
    [
      OrdersQuery,
      { status: 'open', limit: 1 },
      'querystring.status is not in the accepted form (^[A-Z_]+(,[A-Z_]+)*$)',
      { field: 'querystring.status', rule: 'pattern', expected: '^[A-Z_]+(,[A-Z_]+)*$' },
    ],
  ] as const)('%#: %s', (schema, value, message, detail) => {
    const where = message.startsWith('querystring') ? 'querystring' : 'body';
    expect(refusal(schema, value, where)).toEqual({ message, details: [detail] });
  });

  it('describes lists, single constants and objects without fields', () => {
    const schema = Type.Object(
      {
        op: Type.Literal('ping'),
        tags: Type.Array(Type.String(), { minItems: 1, maxItems: 2, uniqueItems: true }),
      },
      { additionalProperties: false },
    );
    expect(refusal(schema, { op: 'pong', tags: ['a'] }).message).toBe('body.op must be ping');
    expect(refusal(schema, { op: 'ping', tags: [] }).message).toBe(
      'body.tags must not be an empty list',
    );
    expect(refusal(schema, { op: 'ping', tags: ['a', 'b', 'c'] }).message).toBe(
      'body.tags must have at most 2 items',
    );
    expect(refusal(schema, { op: 'ping', tags: ['a', 'a'] }).message).toBe(
      'body.tags must not list the same item twice (items 0 and 1)',
    );
    expect(refusal(Type.Object({}, { minProperties: 1 }), {}).message).toBe(
      'body must have at least 1 field',
    );
  });

  it('reads TypeBox errors alike (the WebSocket protocol), naming the field from the root', () => {
    const schema = Type.Object(
      { op: Type.Union([Type.Literal('subscribe'), Type.Literal('unsubscribe')]) },
      { additionalProperties: false },
    );
    const errors = (value: unknown) => [...Compile(schema).Errors(value)] as SchemaError[];
    expect(describeSchemaErrors(errors({ op: 'sub' }), '').message).toBe(
      'op must be one of: subscribe, unsubscribe',
    );
    expect(describeSchemaErrors(errors({ op: 'subscribe', x: 1 }), '').message).toBe(
      'the message has a field it does not take: "x"',
    );
  });

  it("never lets the validator's own wording through for the keywords it knows", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const validate = ajv.compile(OrderBody);
        if (validate(value)) return;
        const { message, details } = describeSchemaErrors(validate.errors as SchemaError[], 'body');
        expect(message).not.toMatch(
          /must match pattern|equal to constant|must match a schema|must be >=|must be <=|must NOT/,
        );
        expect(details).toHaveLength(1);
        expect(message.startsWith(details[0]?.field ?? '?')).toBe(true);
      }),
    );
  });

  it('keeps the words of a check that names no type (integer text in the query)', () => {
    const message = 'must be an integer in decimal digits (no exponent, hex, + or spaces)';
    const error = { keyword: 'type', instancePath: '/depth', params: {}, message };
    expect(describeSchemaErrors([error], 'querystring')).toEqual({
      message: `querystring.depth ${message}`,
      details: [{ field: 'querystring.depth', rule: 'type' }],
    });
  });

  it('names array elements and nested fields', () => {
    expect(fieldName('body', '/orders/0/price')).toBe('body.orders[0].price');
    expect(fieldName('', '/symbols/3')).toBe('symbols[3]');
    expect(fieldName('', '')).toBe('the message');
  });
});
