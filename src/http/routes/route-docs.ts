import { z } from 'zod';
import { zodRouteSchema, type DocumentedRouteOptions, type ZodRouteSchemas } from '../openapi.js';

/** The one error shape of the API, `{error: {code, message, details}}`, for the OpenAPI document. */
export const ErrorAnswer = z.object({
  error: z.object({
    code: z.string().describe('stable machine-readable code, e.g. VALIDATION_FAILED, AUTH_INVALID_TOKEN'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).describe('for VALIDATION_FAILED: {field, issues}'),
  }),
});

/** Answers every route behind the guard can give besides its own. */
export const GUARDED_ERRORS = { 401: ErrorAnswer, 403: ErrorAnswer } as const;

export const NoContent = z.null().describe('no content');

/**
 * `zodRouteSchema` plus the route's security: `public` routes (login, refresh, JWKS, health)
 * say `security: []` so the document does not ask for the bearer token the rest of the API needs.
 */
export function documented(schemas: ZodRouteSchemas, options: { public?: boolean } = {}): DocumentedRouteOptions {
  const route = zodRouteSchema(schemas);
  if (options.public === true) (route.schema as Record<string, unknown>).security = [];
  return route;
}
