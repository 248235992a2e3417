import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import { ZenLiveError } from '../../base/index.js';
import type { WebhookService } from '../../events/index.js';
import { errorBody, statusForCode } from '../error-status.js';
import { RequestValidationError } from '../guard.js';
import { zodRouteSchema } from '../openapi.js';

export interface WebhookRouteOptions {
  service: WebhookService;
  /** The auth guard (permission `webhooks:manage`) when auth is on; nothing when it is off. */
  preHandler?: preHandlerHookHandler | preHandlerHookHandler[];
}

const Stats = z.object({ queued: z.number().int(), delivered: z.number().int(), failed: z.number().int(), dropped: z.number().int(), retries: z.number().int() });
const WebhookView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  description: z.string(),
  createdAt: z.string(),
  stats: Stats,
});
const CreatedWebhook = WebhookView.extend({ secret: z.string().describe('HMAC-SHA256 key for ZenLive-Webhook-Signature; shown only in this answer') });
const WebhookList = z.object({ webhooks: z.array(WebhookView), nextCursor: z.string().nullable() });
const Delivery = z.object({
  eventId: z.string(),
  eventType: z.string(),
  attempt: z.number().int(),
  at: z.string(),
  outcome: z.enum(['delivered', 'retrying', 'failed', 'dropped']),
  status: z.number().int().nullable(),
  durationMs: z.number(),
  error: z.string().nullable(),
  retryInMs: z.number().nullable(),
});
const DeliveryList = z.object({ deliveries: z.array(Delivery) });
const TestSent = z.object({ eventId: z.string() });
const ErrorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }) });

const IdParams = z.object({ id: z.string().min(1).max(200) });
const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http or https URL' }).max(2048);

function bodies(eventTypes: readonly string[]) {
  const events = z.array(z.enum(['*', ...eventTypes])).min(1).max(64);
  const create = z.strictObject({
    url: httpUrl,
    events: events.default(['*']).describe('event types to receive, or ["*"] for all'),
    active: z.boolean().default(true),
    description: z.string().max(500).default(''),
    secret: z.string().min(24).max(256).optional().describe('your own signing secret; one is generated when omitted'),
  });
  const update = z.strictObject({ url: httpUrl.optional(), events: events.optional(), active: z.boolean().optional(), description: z.string().max(500).optional() });
  return { create, update };
}

/**
 * `/api/v1/webhooks`: subscribe, list, get, update, delete, send a test event, read the delivery
 * log. Bodies are checked with zod; a bad one is a 400 naming the field.
 */
export function registerWebhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): void {
  const { service } = options;
  const guard = options.preHandler !== undefined ? { preHandler: options.preHandler } : {};
  const { create, update } = bodies(service.eventTypes);
  const tags = ['webhooks'];
  // 401/403 come from the guard when auth is on.
  const denied = { 401: ErrorAnswer, 403: ErrorAnswer };
  const errors = { 400: ErrorAnswer, ...denied, 404: ErrorAnswer };
  const base = '/api/v1/webhooks';
  const subscribeDoc =
    'Every matching event is POSTed as JSON {id, type, timestamp, data} with headers ZenLive-Webhook-Id (the event id, the same on every retry: ' +
    'deduplicate on it), ZenLive-Webhook-Timestamp (Unix seconds of this attempt) and ZenLive-Webhook-Signature: "v1=" + hex HMAC-SHA256, keyed ' +
    'with the secret returned here, of `${id}.${timestamp}.${raw body}`. Refuse timestamps more than a few minutes away. 2xx acknowledges; ' +
    '408, 429 (Retry-After honoured), 5xx, timeouts and network errors are retried with exponential backoff and jitter; other statuses are final. ' +
    'Events reach one subscription in publish order, one at a time.';

  app.post(base, { ...zodRouteSchema({ body: create, response: { 201: CreatedWebhook, 400: ErrorAnswer, ...denied }, summary: 'Subscribe a URL to events', description: subscribeDoc, tags }), ...guard }, answer(async (req, reply) => {
    const body = parse(create, req.body, 'body');
    const { webhook, secret } = await service.create(body);
    return reply.code(201).send({ ...webhook, secret });
  }));

  app.get(base, { ...zodRouteSchema({ querystring: ListQuery, response: { 200: WebhookList, 400: ErrorAnswer, ...denied }, summary: 'List subscriptions', tags }), ...guard }, answer(async (req) => {
    return service.list(parse(ListQuery, req.query, 'query'));
  }));

  app.get(`${base}/:id`, { ...zodRouteSchema({ params: IdParams, response: { 200: WebhookView, ...errors }, summary: 'Get a subscription', tags }), ...guard }, answer(async (req) => {
    return service.get(parse(IdParams, req.params, 'params').id);
  }));

  app.patch(`${base}/:id`, { ...zodRouteSchema({ params: IdParams, body: update, response: { 200: WebhookView, ...errors }, summary: 'Change URL, filter, description or active flag', tags }), ...guard }, answer(async (req) => {
    const { id } = parse(IdParams, req.params, 'params');
    return service.update(id, parse(update, req.body, 'body'));
  }));

  app.delete(`${base}/:id`, { ...zodRouteSchema({ params: IdParams, response: { 204: z.null(), ...errors }, summary: 'Delete a subscription; queued deliveries are dropped', tags }), ...guard }, answer(async (req, reply) => {
    await service.delete(parse(IdParams, req.params, 'params').id);
    return reply.code(204).send();
  }));

  app.post(`${base}/:id/test`, { ...zodRouteSchema({ params: IdParams, response: { 202: TestSent, ...errors }, summary: 'Queue a webhook.test event for this subscription', tags }), ...guard }, answer(async (req, reply) => {
    const eventId = await service.sendTest(parse(IdParams, req.params, 'params').id);
    return reply.code(202).send({ eventId });
  }));

  app.get(`${base}/:id/deliveries`, { ...zodRouteSchema({ params: IdParams, response: { 200: DeliveryList, ...errors }, summary: 'Delivery log, newest first', tags }), ...guard }, answer(async (req) => {
    return { deliveries: await service.deliveries(parse(IdParams, req.params, 'params').id) };
  }));
}

// Same 400 shape as the other API routes (http/guard.ts parseWith), plus unknown keys named as the field.
function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.output<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? [issue.keys.join(',')] : [];
    return { path: [...issue.path.map(String), ...keys].join('.'), message: issue.message };
  });
  const first = issues[0];
  const field = first === undefined || first.path === '' ? where : first.path;
  return raise(new RequestValidationError(`${where}: ${field}: ${first?.message ?? 'invalid'}`, { field, issues }));
}

function raise(err: Error): never {
  throw err;
}

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Answers this area's errors (and validation failures) with their status and details; others go to the app's handler. */
function answer(handler: Handler): Handler {
  return async (req, reply) => {
    try {
      return await handler(req, reply);
    } catch (err) {
      if (!(err instanceof ZenLiveError) || !(err instanceof RequestValidationError || err.code.startsWith('WEBHOOK_'))) throw err;
      return reply.code(statusForCode(err.code)).send(errorBody(err.code, err.message, detailsOf(err)));
    }
  };
}

function detailsOf(err: ZenLiveError): Record<string, unknown> {
  if (err instanceof RequestValidationError) return err.details;
  const known = err as ZenLiveError & { url?: string; eventType?: string; webhookId?: string; cursor?: string };
  if (known.url !== undefined) return { field: 'url' };
  if (known.eventType !== undefined) return { field: 'events', value: known.eventType };
  if (known.cursor !== undefined) return { field: 'cursor' };
  if (known.webhookId !== undefined) return { id: known.webhookId };
  return {};
}
