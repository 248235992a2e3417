import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../src/auth/index.js';
import { silentLogger } from '../src/base/index.js';
import { MemoryWebhookStore, WEBHOOK_BUS_EVENT_TYPES, WebhookService } from '../src/events/index.js';
import { createGuard, createHttpApp, registerAuthRoutes, registerSessionRoutes, registerStreamAdminRoutes, registerUserRoutes, registerWebhookRoutes } from '../src/http/index.js';
import { StreamRegistry } from '../src/hub/index.js';
import { MemoryAuditSink } from '../src/security/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { testAuthOptions } from './helpers/auth-options.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking an arbitrary JSON document
type Json = Record<string, any>;
const METHODS = ['get', 'post', 'patch', 'delete', 'put'];

/** `/api/v1/streams/:id` as OpenAPI writes it: `/api/v1/streams/{id}`. */
const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Every operation of the document as `METHOD path`. */
function operations(doc: Json): Map<string, Json> {
  const ops = new Map<string, Json>();
  for (const [path, item] of Object.entries<Json>(doc.paths)) for (const [m, op] of Object.entries<Json>(item)) if (METHODS.includes(m)) ops.set(`${m.toUpperCase()} ${path}`, op);
  return ops;
}

// POSTs that take no body: the path says it all.
const NO_BODY = new Set([
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/logout-all',
  'POST /api/v1/streams/{id}/{action}',
  'POST /api/v1/streams/{id}/keys/rotate',
  'POST /api/v1/streams/{id}/keys/revoke',
  'POST /api/v1/webhooks/{id}/test',
]);
// Documented by the HLS area (src/protocols/hls), outside these routes.
const FOREIGN = new Set(['GET /api/v1/streams/{id}/renditions']);
const PUBLIC = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/refresh', 'GET /.well-known/jwks.json', 'GET /healthz', 'GET /readyz']);

describe('the OpenAPI document of the API', () => {
  it('lists every route the API registers, and every body schema', async () => {
    const logger = silentLogger();
    const audit = new MemoryAuditSink();
    const registry = new StreamRegistry({ gopCache: { maxFrames: 100, maxBytes: 1 << 20 }, backpressure: { softLimitBytes: 1 << 20, hardLimitBytes: 1 << 22, maxSkipMs: 5000 } });
    const auth = await createAuth(testAuthOptions({ environment: 'development', jwtSecret: 'docs-secret-0123456789-abcdefghijklmnopqrstuvwxyz', audit, logger }));
    const webhooks = new WebhookService({ store: new MemoryWebhookStore(), eventTypes: WEBHOOK_BUS_EVENT_TYPES, delivery: {}, logger });
    const http = await createHttpApp({ logger, registry, isReady: () => true, corsOrigins: ['*'], apiDocs: { title: 'ZenLive API', version: '0.0.0', bearerAuth: true } });
    const registered = new Set<string>();
    // Sees the routes added from here on; createHttpApp's own (health, the streams list) are
    // already in, and are checked with hasRoute below.
    http.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const m of methods) if (m !== 'HEAD' && route.url.startsWith('/api/v1')) registered.add(`${m} ${openApiPath(route.url)}`);
    });
    const guard = createGuard({ enabled: true, auth: auth.service, logger });
    await registerAuthRoutes(http, { auth: auth.service, tokens: auth.tokens, guard });
    await registerUserRoutes(http, { users: auth.users, auth: auth.service, audit, guard });
    await registerSessionRoutes(http, { sessions: auth.sessions, audit, guard });
    await registerStreamAdminRoutes(http, { registry, tokens: auth.tokens, catalog: auth.catalog, keys: auth.keys, playbackTokens: auth.playbackTokens, audit, guard, streamKeyGraceSeconds: 60, playbackTtlSeconds: 300 });
    registerWebhookRoutes(http, { service: webhooks, preHandler: guard.requirePermission('webhooks:manage') });
    try {
      await http.ready();
      const doc = (await http.inject({ method: 'GET', url: '/api/docs/json' })).json<Json>();
      const ops = operations(doc);
      for (const url of ['/api/v1/streams', '/api/v1/streams/:id']) {
        expect(http.hasRoute({ method: 'GET', url }), url).toBe(true);
        registered.add(`GET ${openApiPath(url)}`);
      }
      expect(http.hasRoute({ method: 'GET', url: '/api/v1/managed-streams' })).toBe(false);
      expect(registered.size).toBeGreaterThan(25);
      const documented = [...ops.keys()].filter((k) => k.split(' ')[1]?.startsWith('/api/v1'));
      expect(documented.sort()).toEqual([...registered].sort());
      // And nothing documented that does not exist.
      for (const key of ops.keys()) {
        const [method = '', path = ''] = key.split(' ');
        expect(http.hasRoute({ method: method as 'GET', url: path.replace(/\{([^}]+)\}/g, ':$1') }), key).toBe(true);
      }
      for (const key of [...registered, ...PUBLIC]) {
        const op = ops.get(key);
        expect(op, key).toBeDefined();
        expect(op?.tags?.length, `${key} has tags`).toBeGreaterThan(0);
        expect(typeof op?.summary, `${key} has a summary`).toBe('string');
        const statuses = Object.keys(op?.responses ?? {});
        expect(statuses.some((st) => st.startsWith('2')), `${key} documents its answer`).toBe(true);
        const method = key.split(' ')[0] ?? '';
        if ((method === 'POST' || method === 'PATCH') && !NO_BODY.has(key)) {
          expect(op?.requestBody?.content?.['application/json']?.schema, `${key} has a body schema`).toBeDefined();
        }
        if (PUBLIC.has(key)) expect(op?.security, `${key} is public`).toEqual([]);
        else expect(statuses, `${key} documents 401`).toContain('401');
      }
      expect(doc.security).toEqual([{ bearerAuth: [] }]);
      // The fields a client needs are in the schemas, not just their names.
      const create = ops.get('POST /api/v1/streams')?.requestBody.content['application/json'].schema as Json;
      expect(create.required).toEqual(['title']);
      expect(Object.keys(create.properties as Json)).toEqual(['id', 'title', 'private']);
      const list = ops.get('GET /api/v1/streams')?.parameters as Json[];
      expect(list.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['query:cursor', 'query:limit']);
    } finally {
      await http.close();
      await webhooks.close();
    }
  });
});

describe('the document the running app serves', () => {
  let s: TestServer;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenlive-api-docs-'));
    s = await startTestServer({
      auth: { enabled: true, jwt_secret: 'api-docs-secret-0123456789abcdefghijklmnop', users_file: join(dir, 'users.json') },
      streaming: { enable_hls: true },
    });
  });

  afterAll(async () => {
    await s?.stop();
  });

  it('documents every /api route with tags, a summary and its answers; only login, refresh, JWKS and health are public', async () => {
    const res = await fetch(s.httpUrl('/api/docs/json'));
    expect(res.status).toBe(200);
    const ops = operations((await res.json()) as Json);
    for (const key of PUBLIC) expect(ops.get(key)?.security, key).toEqual([]);
    const api = [...ops.entries()].filter(([k]) => k.split(' ')[1]?.startsWith('/api/v1') && !FOREIGN.has(k));
    expect(api.length).toBeGreaterThan(25);
    for (const [key, op] of api) {
      expect(op.tags?.length, key).toBeGreaterThan(0);
      expect(Object.keys(op.responses as Json), key).toContain('401');
    }
    expect([...ops.keys()]).toContain('GET /api/v1/streams/{id}/renditions');
    expect([...ops.keys()].some((k) => k.includes('managed-streams'))).toBe(false);
  });
});
