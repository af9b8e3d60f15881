// Schema validation with Ajv: bodies are validated strictly (no type coercion: "10" is not 10,
// a string is not a boolean), while path and query parameters, which are always text, are
// coerced to the declared types. Unknown body fields are removed, never trusted.

import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { ExchangeApp } from '../exchange-app.ts';

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
  const strict = ajv({ coerceTypes: false });
  const coercing = ajv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema),
  );
}
