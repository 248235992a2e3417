import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserDirectory } from '../src/auth/index.js';
import { silentLogger } from '../src/base/index.js';
import { MemoryWebhookStore, WEBHOOK_BUS_EVENT_TYPES, WebhookService } from '../src/events/index.js';
import { createHttpApp, registerApiDocs, registerWebhookRoutes, zodRouteSchema } from '../src/http/index.js';
import { StreamRegistry } from '../src/hub/index.js';
import { startTestServer } from './helpers/server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking an arbitrary JSON document
type Json = Record<string, any>;
// ajv-formats is CommonJS: its default export arrives wrapped under ESM interop
const addFormats = ((addFormatsPlugin as unknown as { default?: typeof addFormatsPlugin }).default ?? addFormatsPlugin) as unknown as (ajv: Ajv) => Ajv;
const strictAjv = (): Ajv => addFormats(new Ajv({ strict: false, allErrors: true }));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(app: FastifyInstance): Promise<(path: string) => string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => app.close());
  const port = (app.server.address() as AddressInfo).port;
  return (path) => `http://127.0.0.1:${port}${path}`;
}

async function docsApp(): Promise<(path: string) => string> {
  const service = new WebhookService({ store: new MemoryWebhookStore(), eventTypes: WEBHOOK_BUS_EVENT_TYPES, delivery: {}, logger: silentLogger() });
  cleanups.push(() => service.close());
  const app = await createHttpApp({ logger: silentLogger(), registry: new StreamRegistry({ gopCache: { maxFrames: 100, maxBytes: 1 << 20 }, backpressure: { softLimitBytes: 1 << 20, hardLimitBytes: 1 << 22, maxSkipMs: 5000 } }), isReady: () => true, corsOrigins: ['*'] });
  await registerApiDocs(app, { title: 'ZenLive API', version: '0.1.0', bearerAuth: true });
  registerWebhookRoutes(app, { service });
  return listen(app);
}

/** Every object in `doc` with its JSON pointer. */
function* walk(node: unknown, pointer = '#'): Generator<[string, Json]> {
  if (node === null || typeof node !== 'object') return;
  yield [pointer, node as Json];
  for (const [k, v] of Object.entries(node)) yield* walk(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

function resolvePointer(doc: Json, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

/** The structural rules of OpenAPI 3.0 that a generator can get wrong, each schema compiled by Ajv. */
function checkOpenApi3(doc: Json): string[] {
  const problems: string[] = [];
  const ajv = strictAjv();
  if (typeof doc.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi)) problems.push(`openapi version ${String(doc.openapi)}`);
  if (typeof doc.info?.title !== 'string' || typeof doc.info?.version !== 'string') problems.push('info.title/version');
  if (doc.paths === null || typeof doc.paths !== 'object') problems.push('paths');
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries<Json>(item)) {
      if (!METHODS.includes(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (op.responses === undefined || Object.keys(op.responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries<Json>(op.responses ?? {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${where}: response key ${status}`);
        if (typeof response.description !== 'string') problems.push(`${where} ${status}: response without description`);
      }
      if (op.operationId !== undefined) {
        if (operationIds.has(op.operationId)) problems.push(`duplicate operationId ${op.operationId}`);
        operationIds.add(op.operationId);
      }
      const params: Json[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      for (const p of params) {
        if (!['query', 'header', 'path', 'cookie'].includes(p.in)) problems.push(`${where}: parameter ${p.name} in ${p.in}`);
        if (p.in === 'path' && p.required !== true) problems.push(`${where}: path parameter ${p.name} not required`);
        if (p.in === 'path' && !templated.includes(p.name)) problems.push(`${where}: path parameter ${p.name} not in the template`);
      }
      for (const name of templated) if (!params.some((p) => p.in === 'path' && p.name === name)) problems.push(`${where}: {${name}} undeclared`);
      if (method === 'get' && op.requestBody !== undefined) problems.push(`${where}: GET with a body`);
    }
  }
  for (const [pointer, node] of walk(doc)) {
    if ('$schema' in node) problems.push(`${pointer}: $schema is not allowed in OpenAPI 3.0 schema objects`);
    if (typeof node.$ref === 'string' && (!node.$ref.startsWith('#/') || resolvePointer(doc, node.$ref) === undefined)) problems.push(`${pointer}: unresolved $ref ${node.$ref}`);
    if (/\/(schema|items)$/.test(pointer) || /\/properties\/[^/]+$/.test(pointer)) {
      try {
        ajv.compile(node);
      } catch (err) {
        problems.push(`${pointer}: ${(err as Error).message}`);
      }
    }
  }
  return problems;
}

describe('OpenAPI docs', () => {
  it('GET /api/docs/json is a valid OpenAPI 3 document listing the webhook routes with their body schema', async () => {
    const url = await docsApp();
    const res = await fetch(url('/api/docs/json'));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Json;
    expect(checkOpenApi3(doc)).toEqual([]);
    expect(doc.info).toMatchObject({ title: 'ZenLive API', version: '0.1.0' });
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);

    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/webhooks', '/api/v1/webhooks/{id}', '/api/v1/webhooks/{id}/test', '/api/v1/webhooks/{id}/deliveries']),
    );
    expect(Object.keys(doc.paths['/api/v1/webhooks']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/webhooks/{id}']).sort()).toEqual(['delete', 'get', 'patch']);

    const create = doc.paths['/api/v1/webhooks'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['url']);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.url).toMatchObject({ type: 'string', format: 'uri' });
    expect(body.properties.events.items.enum).toEqual(['*', ...WEBHOOK_BUS_EVENT_TYPES, 'webhook.test']);
    expect(body.properties.active).toMatchObject({ type: 'boolean', default: true });
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400']));
    expect(create.responses['201'].content['application/json'].schema.required).toContain('secret');
    expect(create.tags).toEqual(['webhooks']);

    const list = doc.paths['/api/v1/webhooks'].get;
    expect(list.parameters.map((p: Json) => [p.in, p.name]).sort()).toEqual([
      ['query', 'cursor'],
      ['query', 'limit'],
    ]);
    expect(doc.paths['/api/v1/webhooks/{id}/deliveries'].get.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id', required: true })]);
  });

  it('the document checker itself catches the mistakes it looks for', async () => {
    const url = await docsApp();
    const doc = (await (await fetch(url('/api/docs/json'))).json()) as Json;
    const broken = structuredClone(doc);
    broken.paths['/api/v1/webhooks/{id}'].get.parameters = [];
    broken.paths['/api/v1/webhooks'].post.requestBody.content['application/json'].schema.$schema = 'https://json-schema.org/draft/2020-12/schema';
    broken.paths['/api/v1/webhooks'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
    broken.paths['/api/v1/webhooks/{id}/test'].post.responses = {};
    broken.paths['/api/v1/webhooks'].post.requestBody.content['application/json'].schema.properties.url = { type: 'strin' };
    const problems = checkOpenApi3(broken).join('\n');
    expect(problems).toContain('GET /api/v1/webhooks/{id}: {id} undeclared');
    expect(problems).toContain('$schema is not allowed');
    expect(problems).toContain('unresolved $ref #/components/schemas/Nope');
    expect(problems).toContain('POST /api/v1/webhooks/{id}/test: no responses');
    expect(problems).toMatch(/properties\/url: .*type/);
  });

  it('what the routes answer matches the documented response schemas', async () => {
    const url = await docsApp();
    const doc = (await (await fetch(url('/api/docs/json'))).json()) as Json;
    const ajv = strictAjv();
    const schemaOf = (path: string, method: string, status: number): Json => doc.paths[path][method].responses[String(status)].content['application/json'].schema;

    const created = await fetch(url('/api/v1/webhooks'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'http://127.0.0.1:9/x' }) });
    expect(created.status).toBe(201);
    const createdBody = (await created.json()) as { id: string };
    expect(ajv.validate(schemaOf('/api/v1/webhooks', 'post', 201), createdBody), ajv.errorsText()).toBe(true);

    const listed = await (await fetch(url('/api/v1/webhooks?limit=5'))).json();
    expect(ajv.validate(schemaOf('/api/v1/webhooks', 'get', 200), listed), ajv.errorsText()).toBe(true);

    const bad = await fetch(url('/api/v1/webhooks'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'gopher://x' }) });
    expect(bad.status).toBe(400);
    expect(ajv.validate(schemaOf('/api/v1/webhooks', 'post', 400), await bad.json()), ajv.errorsText()).toBe(true);

    const missing = await fetch(url('/api/v1/webhooks/wh_nope'));
    expect(missing.status).toBe(404);
    expect(ajv.validate(schemaOf('/api/v1/webhooks/{id}', 'get', 404), await missing.json()), ajv.errorsText()).toBe(true);

    const log = await (await fetch(url(`/api/v1/webhooks/${createdBody.id}/deliveries`))).json();
    expect(ajv.validate(schemaOf('/api/v1/webhooks/{id}/deliveries', 'get', 200), log), ajv.errorsText()).toBe(true);
  });

  it('/api/docs serves Swagger UI from the package: every asset local, none from the internet', async () => {
    const url = await docsApp();
    const page = await fetch(url('/api/docs'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<div id="swagger-ui"></div>');
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const ref of refs) {
      expect(ref, ref).not.toMatch(/^(https?:)?\/\//);
      const asset = await fetch(new URL(ref, url('/api/docs')));
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(0);
    }
    expect(refs.some((r) => r.endsWith('/swagger-ui-bundle.js'))).toBe(true);
    const init = await (await fetch(url('/api/docs/static/swagger-initializer.js'))).text();
    expect(init).toContain("resolveUrl('./json')");
    // comments aside (the package cites a web page in one), the initializer points at nothing remote
    expect(init.replace(/^\s*\/\/.*$/gm, '')).not.toMatch(/https?:\/\//);
    expect(page.headers.get('content-security-policy') ?? '').toContain("default-src 'self'");
  });

  it('zodRouteSchema documents a route without fastify validating the body or reshaping the answer', async () => {
    const app = Fastify();
    await registerApiDocs(app, { title: 't', version: '1' });
    const Body = z.object({ name: z.string().min(3) });
    const Answer = z.object({ ok: z.boolean() });
    app.post('/echo', zodRouteSchema({ body: Body, response: { 200: Answer } }), async (req) => ({ ok: true, got: req.body, extra: 'kept' }));
    const url = await listen(app);

    const res = await fetch(url('/echo'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 1 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, got: { name: 1 }, extra: 'kept' });

    const doc = (await (await fetch(url('/api/docs/json'))).json()) as Json;
    expect(doc.paths['/echo'].post.requestBody.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { name: { type: 'string', minLength: 3 } },
      required: ['name'],
    });
    expect(doc.paths['/echo'].post.responses['200'].content['application/json'].schema.properties.ok).toEqual({ type: 'boolean' });
  });
});

describe('the running app with auth on', () => {
  it('serves a valid OpenAPI 3 document of the whole API, and the answers match their documented schemas', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenlive-openapi-'));
    const users = await UserDirectory.open(join(dir, 'users.json'));
    await users.create({ username: 'root', password: 'correct horse battery', role: 'admin' });
    const s = await startTestServer({ auth: { enabled: true, jwt_secret: 'openapi-secret-0123456789abcdefghijklmnop', users_file: join(dir, 'users.json') } });
    cleanups.push(() => s.stop());
    const doc = (await (await fetch(s.httpUrl('/api/docs/json'))).json()) as Json;
    expect(checkOpenApi3(doc)).toEqual([]);
    const ajv = strictAjv();
    const schemaOf = (path: string, method: string, status: number): Json => doc.paths[path][method].responses[String(status)].content['application/json'].schema;
    const call = async (method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(s.httpUrl(path), { method, headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
    };
    const conforms = (path: string, method: string, r: { status: number; json: unknown }): void => {
      expect(ajv.validate(schemaOf(path, method, r.status), r.json), `${method} ${path} ${r.status}: ${ajv.errorsText()}`).toBe(true);
    };
    const login = await call('POST', '/api/v1/auth/login', undefined, { username: 'root', password: 'correct horse battery' });
    conforms('/api/v1/auth/login', 'post', login);
    const token = (login.json as { accessToken: string }).accessToken;
    conforms('/api/v1/auth/login', 'post', await call('POST', '/api/v1/auth/login', undefined, { username: 'root' }));
    conforms('/api/v1/auth/me', 'get', await call('GET', '/api/v1/auth/me', token));
    conforms('/api/v1/auth/me', 'get', await call('GET', '/api/v1/auth/me', undefined));
    conforms('/api/v1/streams', 'post', await call('POST', '/api/v1/streams', token, { id: 'doc', title: 'documented', private: true }));
    conforms('/api/v1/streams', 'get', await call('GET', '/api/v1/streams', token));
    conforms('/api/v1/streams/{id}', 'get', await call('GET', '/api/v1/streams/doc', token));
    conforms('/api/v1/streams/{id}', 'get', await call('GET', '/api/v1/streams/nope', token));
    conforms('/api/v1/streams/{id}', 'patch', await call('PATCH', '/api/v1/streams/doc', token, { title: 'renamed' }));
    conforms('/api/v1/streams/{id}/{action}', 'post', await call('POST', '/api/v1/streams/doc/stop', token));
    conforms('/api/v1/streams/{id}/keys/rotate', 'post', await call('POST', '/api/v1/streams/doc/keys/rotate', token));
    conforms('/api/v1/streams/{id}/playback-token', 'post', await call('POST', '/api/v1/streams/doc/playback-token', token, {}));
    conforms('/api/v1/streams/{id}/publish-token', 'post', await call('POST', '/api/v1/streams/doc/publish-token', token, {}));
    conforms('/api/v1/users', 'get', await call('GET', '/api/v1/users', token));
    conforms('/api/v1/sessions', 'get', await call('GET', '/api/v1/sessions', token));
    conforms('/healthz', 'get', await call('GET', '/healthz', undefined));
    conforms('/.well-known/jwks.json', 'get', await call('GET', '/.well-known/jwks.json', undefined));
  });
});
