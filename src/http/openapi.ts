import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';

export interface ApiDocsOptions {
  title: string;
  version: string;
  description?: string;
  /** Where the UI lives; the document is at `${routePrefix}/json`. `/api/docs` by default. */
  routePrefix?: string;
  /** Declares `Authorization: Bearer <JWT>` for the whole API, so Swagger UI offers to send a token. */
  bearerAuth?: boolean;
}

/**
 * Serves the OpenAPI 3 document of every route registered after it, with Swagger UI at
 * `/api/docs` (assets from the npm package, nothing loaded from the internet). Register it before
 * the routes: @fastify/swagger learns routes as they are added.
 */
export async function registerApiDocs(app: FastifyInstance, options: ApiDocsOptions): Promise<void> {
  const routePrefix = options.routePrefix ?? '/api/docs';
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, version: options.version, ...(options.description !== undefined ? { description: options.description } : {}) },
      ...(options.bearerAuth === true
        ? { components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } }, security: [{ bearerAuth: [] }] }
        : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix, staticCSP: true });
}

/** The zod schemas of one route's inputs and answers (by status code). */
export interface ZodRouteSchemas {
  body?: z.ZodType;
  params?: z.ZodType;
  querystring?: z.ZodType;
  response?: Record<number, z.ZodType>;
  summary?: string;
  description?: string;
  tags?: string[];
}

/** Route options that document a route without letting fastify validate or reshape anything. */
export interface DocumentedRouteOptions {
  schema: FastifySchema;
  validatorCompiler: FastifySchemaCompiler<unknown>;
  serializerCompiler: FastifySerializerCompiler<unknown>;
}

// Handlers validate with zod to answer our own 400 shape naming the field, so fastify must accept
// every input; and responses go out as the handler built them, not filtered by a schema.
const acceptEverything: FastifySchemaCompiler<unknown> = () => (value) => ({ value });
const plainJson: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

/**
 * Turns zod schemas into a fastify `schema` used only for the OpenAPI document; spread the result
 * into the route options: `app.post(url, { ...zodRouteSchema({ body }), preHandler }, handler)`.
 */
export function zodRouteSchema(schemas: ZodRouteSchemas): DocumentedRouteOptions {
  const schema: Record<string, unknown> = {};
  if (schemas.body !== undefined) schema.body = toOpenApi(schemas.body, 'input');
  if (schemas.params !== undefined) schema.params = toOpenApi(schemas.params, 'input');
  if (schemas.querystring !== undefined) schema.querystring = toOpenApi(schemas.querystring, 'input');
  if (schemas.response !== undefined) {
    schema.response = Object.fromEntries(Object.entries(schemas.response).map(([status, s]) => [status, toOpenApi(s, 'output')]));
  }
  if (schemas.summary !== undefined) schema.summary = schemas.summary;
  if (schemas.description !== undefined) schema.description = schemas.description;
  if (schemas.tags !== undefined) schema.tags = schemas.tags;
  return { schema: schema as FastifySchema, validatorCompiler: acceptEverything, serializerCompiler: plainJson };
}

function toOpenApi(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  // OpenAPI 3.0 schema objects are their own JSON Schema dialect (nullable, no $schema)
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}
