// Schemas shared by every route: the error body and small reusable shapes.

import { Type } from 'typebox';

export const ErrorReply = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    /** On schema refusals: each field, the rule it broke and what the rule expects. */
    details: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String(),
          rule: Type.String(),
          expected: Type.Optional(Type.Unknown()),
        }),
      ),
    ),
  }),
});

/** The error replies a signed-in route can give, for the OpenAPI document. */
export const AUTHENTICATED_ERRORS = {
  400: ErrorReply,
  401: ErrorReply,
  403: ErrorReply,
  404: ErrorReply,
  409: ErrorReply,
  422: ErrorReply,
};

export const Success = Type.Object({ success: Type.Literal(true) });
