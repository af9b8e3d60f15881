// Schema validation with Ajv: bodies are validated strictly (no type coercion: "10" is not 10,
// a string is not a boolean), while path and query parameters, which are always text, are
// coerced to the declared types. A body field its closed schema does not declare is refused
// (400), before the intrusion detectors or the handler see any of the body. Integers must
// be written as integers: decimal digits in the path and query, no `1.0` or `1e0` in a body.

import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import { ApiError } from '../../errors.ts';
import type { ExchangeApp } from '../exchange-app.ts';
import { decimalDigitsFirst, decimalForInteger, type SchemaNode } from './integer-text.ts';

function ajv(options: Options): Ajv {
  const instance = new Ajv({
    removeAdditional: true,
    useDefaults: true,
    allErrors: false,
    ...options,
  });
  addFormats.default(instance);
  return instance;
}

export function installValidation(app: ExchangeApp): void {
  const strict = ajv({ coerceTypes: false, removeAdditional: false });
  const coercing = ajv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body') return strict.compile(schema);
    const validate = coercing.compile(schema);
    return httpPart === 'params' || httpPart === 'querystring'
      ? decimalDigitsFirst(schema as SchemaNode, validate)
      : validate;
  });
  // After validation (and so after access control): the parsed body is valid, but `1.0` for an
  // integer field read as 1; the text as sent says otherwise.
  app.addHook('preHandler', (request, _reply, done) => {
    const schema = request.routeOptions.schema?.body as SchemaNode | undefined;
    const text = request.rawBody;
    const path = schema && text !== undefined ? decimalForInteger(schema, text) : undefined;
    if (path === undefined) return done();
    const field = ['body', ...path].join('.');
    done(
      new ApiError(
        'VALIDATION_FAILED',
        `${field} must be an integer, without a fraction or exponent`,
      ),
    );
  });
}
