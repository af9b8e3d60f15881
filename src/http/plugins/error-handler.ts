// Every failure leaves as `{ error: { code, message } }` with an honest status. Client errors
// say what was wrong (a schema refusal in words, with `details` for programs); server errors
// say nothing about internals (the log has them).

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ExchangeApp } from '../exchange-app.ts';
import { ApiError, ERROR_STATUS, type ErrorBody, type ErrorCode } from '../../errors.ts';
import { RateLimited } from '../../defense/guard.ts';
import { setRateHeaders } from './defense.ts';
import { describeSchemaErrors } from '../schema-errors.ts';

/**
 * Retry-After on every TRADING_UNAVAILABLE: the exchange is recovering its journal, or the cluster
 * is choosing a leader, and both take seconds; clients that honour it do not hammer it meanwhile.
 */
export const TRADING_RETRY_AFTER_SECONDS = 2;

function body(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Where a request part is, in the words of the messages the routes write themselves. */
const PART: Record<string, string> = { querystring: 'querystring', params: 'params' };

/** Maps Fastify's own client errors (bad JSON, wrong content type, too large) to the catalogue. */
function fromFastifyError(error: FastifyError): { status: number; body: ErrorBody } | undefined {
  if (error.validation !== undefined) {
    const context = error.validationContext ?? 'request';
    const { message, details } = describeSchemaErrors(error.validation, PART[context] ?? context);
    return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message, details } } };
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return { status: 400, body: body('BAD_REQUEST', 'the URL path is not valid percent-encoding') };
  }
  const status = error.statusCode ?? 500;
  if (status === 413)
    return { status, body: body('PAYLOAD_TOO_LARGE', 'request body is too large') };
  if (status === 415) {
    return { status, body: body('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json') };
  }
  if (status === 429) return { status, body: body('RATE_LIMITED', error.message) };
  if (status >= 400 && status < 500) return { status, body: body('BAD_REQUEST', error.message) };
  return undefined;
}

/**
 * Fastify's `frameworkErrors`: what fails before routing (a path that does not decode, an
 * over-long parameter) answers in the same shape as everything else.
 */
export function frameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const mapped = fromFastifyError(error) ?? {
    status: ERROR_STATUS.INTERNAL,
    body: body('INTERNAL', 'the server could not complete the request'),
  };
  void reply.code(mapped.status).send(mapped.body);
}

export function registerErrorHandler(app: ExchangeApp): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof RateLimited) {
      setRateHeaders(reply, error.decision);
      void reply.header('retry-after', Math.max(1, Math.ceil(error.decision.resetMs / 1000)));
    }
    if (error instanceof ApiError) {
      if (error.code === 'TRADING_UNAVAILABLE')
        void reply.header('retry-after', TRADING_RETRY_AFTER_SECONDS);
      return reply.code(error.status).send(error.toBody());
    }
    const mapped = fromFastifyError(error);
    if (mapped !== undefined) return reply.code(mapped.status).send(mapped.body);
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(ERROR_STATUS.INTERNAL)
      .send(body('INTERNAL', 'the server could not complete the request'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(body('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`)),
  );
}
