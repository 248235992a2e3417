import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, type Auth } from '../src/auth/index.js';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { createLogger, silentLogger, type Logger } from '../src/base/index.js';
import { createGuard, createHttpApp, registerAuthRoutes, registerSessionRoutes, registerStreamAdminRoutes, registerUserRoutes } from '../src/http/index.js';
import { StreamRegistry } from '../src/hub/index.js';
import { registerFlvRoutes } from '../src/protocols/flv/index.js';
import { RtmpClient, RtmpRefusedError, RtmpServer } from '../src/protocols/rtmp/index.js';
import { MemoryAuditSink } from '../src/security/index.js';
import { makeClip } from './helpers/clip.js';
import { publishClip, type FfmpegProcess } from './helpers/ffmpeg.js';
import { requireBinary } from './helpers/peers.js';
import { waitFor } from './helpers/server.js';
import { testAuthOptions } from './helpers/auth-options.js';

/**
 * The server as the app will compose it with auth on (src/app does not wire auth yet): hub,
 * HTTP with the auth, user, session and stream-admin routes, HTTP-FLV and RTMP with both authorizers.
 */
interface AuthServer {
  auth: Auth;
  audit: MemoryAuditSink;
  registry: StreamRegistry;
  http: FastifyInstance;
  rtmp: RtmpServer;
  url(path: string): string;
  rtmpUrl(name: string): string;
  close(): Promise<void>;
}

async function startAuthServer(enabled = true, logger: Logger = silentLogger()): Promise<AuthServer> {
  const audit = new MemoryAuditSink();
  const registry = new StreamRegistry({
    gopCache: { maxFrames: 1800, maxBytes: 32 * 1024 * 1024 },
    backpressure: { softLimitBytes: 2 * 1024 * 1024, hardLimitBytes: 16 * 1024 * 1024, maxSkipMs: 10_000 },
  });
  const auth = await createAuth(testAuthOptions({ enabled, jwtSecret: 'e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz', audit, logger }));
  const http = await createHttpApp({ logger, registry, isReady: () => true, corsOrigins: ['*'] });
  const guard = createGuard({ enabled, auth: auth.service, logger });
  await registerAuthRoutes(http, { auth: auth.service, tokens: auth.tokens, guard });
  await registerUserRoutes(http, { users: auth.users, auth: auth.service, audit, guard });
  await registerSessionRoutes(http, { sessions: auth.sessions, audit, guard });
  await registerStreamAdminRoutes(http, {
    registry,
    tokens: auth.tokens,
    catalog: auth.catalog,
    keys: auth.keys,
    playbackTokens: auth.playbackTokens,
    audit,
    guard,
    streamKeyGraceSeconds: 60,
    playbackTtlSeconds: 300,
  });
  registerFlvRoutes(http, { registry, logger, corsOrigin: '*', ...(auth.authorizePlay !== undefined ? { authorizePlay: auth.authorizePlay } : {}) });
  await http.listen({ host: '127.0.0.1', port: 0 });
  const rtmp = new RtmpServer({
    host: '127.0.0.1',
    port: 0,
    apps: ['live'],
    chunkSize: 4096,
    windowAckSize: 5_000_000,
    maxMessageSize: 16 * 1024 * 1024,
    handshakeTimeoutMs: 5000,
    idleTimeoutMs: 10_000,
    maxConnections: 100,
    registry,
    ...(auth.authorizePublish !== undefined ? { authorizePublish: auth.authorizePublish } : {}),
    ...(auth.authorizePlay !== undefined ? { authorizePlay: auth.authorizePlay } : {}),
    logger,
  });
  await rtmp.listen();
  const address = http.server.address();
  const httpPort = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    auth,
    audit,
    registry,
    http,
    rtmp,
    url: (path) => `http://127.0.0.1:${httpPort}${path}`,
    rtmpUrl: (name) => `rtmp://127.0.0.1:${rtmp.port}/live/${name}`,
    async close() {
      registry.endAll('server-stopping');
      await rtmp.close(2000);
      http.server.closeAllConnections();
      await http.close();
    },
  };
}

type Who = 'anonymous' | 'viewer' | 'moderator' | 'publisher' | 'other-publisher' | 'admin';
const PASSWORD = 'a-long-test-password';

describe('auth over REST, RTMP and HTTP-FLV', () => {
  let s: AuthServer;
  const tokens = new Map<Who, string>();
  const children: FfmpegProcess[] = [];

  async function call(who: Who, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
    const headers: Record<string, string> = {};
    const token = tokens.get(who);
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(s.url(path), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), headers: res.headers };
  }

  async function login(username: string, password = PASSWORD): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
    return call('anonymous', 'POST', '/api/v1/auth/login', { username, password });
  }

  beforeAll(async () => {
    s = await startAuthServer();
    // The first admin comes from the CLI in production; here straight from the directory.
    await s.auth.users.create({ username: 'root', password: PASSWORD, role: 'admin' });
    tokens.set('admin', (await login('root')).json['accessToken'] as string);
    for (const [who, role] of [['viewer', 'viewer'], ['moderator', 'moderator'], ['publisher', 'publisher'], ['other-publisher', 'publisher']] as const) {
      const made = await call('admin', 'POST', '/api/v1/users', { username: who, password: PASSWORD, role });
      expect(made.status).toBe(201);
      const res = await login(who);
      expect(res.status).toBe(200);
      tokens.set(who, res.json['accessToken'] as string);
    }
  });

  afterAll(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await s?.close();
  });

  async function createStream(owner: Who, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const res = await call(owner, 'POST', '/api/v1/streams', body);
    expect(res.status).toBe(201);
    return { id: (res.json['stream'] as { id: string }).id, key: res.json['streamKey'] as string };
  }

  function expectMatrix(results: Record<Who, number>, allowed: readonly Who[], okStatus: number): void {
    for (const [who, status] of Object.entries(results) as Array<[Who, number]>) {
      const want = allowed.includes(who) ? okStatus : who === 'anonymous' ? 401 : 403;
      expect(status, `${who}`).toBe(want);
    }
  }

  const EVERYONE: readonly Who[] = ['anonymous', 'viewer', 'moderator', 'publisher', 'other-publisher', 'admin'];

  it('role × action over REST: 401 without credentials, 403 without the permission or ownership', async () => {
    const results = async (fn: (who: Who) => Promise<number>) => Object.fromEntries(await Promise.all(EVERYONE.map(async (w) => [w, await fn(w)] as const))) as Record<Who, number>;

    expectMatrix(await results(async (w) => (await call(w, 'POST', '/api/v1/streams', { title: `by ${w}` })).status), ['publisher', 'other-publisher', 'admin'], 201);
    const { id } = await createStream('publisher', { title: 'owned' });
    expectMatrix(await results(async (w) => (await call(w, 'PATCH', `/api/v1/streams/${id}`, { title: `renamed by ${w}` })).status), ['publisher', 'admin'], 200);
    expectMatrix(await results(async (w) => (await call(w, 'POST', `/api/v1/streams/${id}/keys/revoke`)).status), ['publisher', 'admin'], 200);
    expectMatrix(await results(async (w) => (await call(w, 'POST', `/api/v1/streams/${id}/keys/rotate`)).status), ['publisher', 'admin'], 200);
    expectMatrix(await results(async (w) => (await call(w, 'POST', `/api/v1/streams/${id}/start`)).status), ['publisher', 'admin'], 200);
    expectMatrix(await results(async (w) => (await call(w, 'GET', '/api/v1/users')).status), ['admin'], 200);
    expectMatrix(await results(async (w) => (await call(w, 'POST', '/api/v1/users', { username: `made-by-${w}`, password: PASSWORD, role: 'viewer' })).status), ['admin'], 201);
    expectMatrix(await results(async (w) => (await call(w, 'GET', '/api/v1/sessions')).status), ['viewer', 'moderator', 'publisher', 'other-publisher', 'admin'], 200);
    expectMatrix(await results(async (w) => (await call(w, 'GET', '/api/v1/auth/me')).status), ['viewer', 'moderator', 'publisher', 'other-publisher', 'admin'], 200);
    const doomed = await Promise.all(EVERYONE.map(async () => (await createStream('publisher', { title: 'to delete' })).id));
    expectMatrix(Object.fromEntries(await Promise.all(EVERYONE.map(async (w, i) => [w, (await call(w, 'DELETE', `/api/v1/streams/${doomed[i]}`)).status] as const))) as Record<Who, number>, ['publisher', 'admin'], 204);
  });

  it('a forged or expired-looking bearer token is a 401 with the error shape, never a 500', async () => {
    const res = await fetch(s.url('/api/v1/auth/me'), { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('AUTH_INVALID_TOKEN');
    expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
  });

  it('a bad body is a 400 naming the failing field', async () => {
    const res = await call('publisher', 'POST', '/api/v1/streams', { title: 5 });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: { field: 'title' } } });
    const weak = await call('admin', 'POST', '/api/v1/users', { username: 'shorty', password: 'short', role: 'viewer' });
    expect(weak.status).toBe(400);
    expect((weak.json['error'] as { details: { field: string } }).details.field).toBe('password');
  });

  it('refresh over HTTP rotates, and replaying the old token revokes the session (401, audited)', async () => {
    const first = await login('viewer');
    const rotated = await call('anonymous', 'POST', '/api/v1/auth/refresh', { refreshToken: first.json['refreshToken'] });
    expect(rotated.status).toBe(200);
    const replay = await call('anonymous', 'POST', '/api/v1/auth/refresh', { refreshToken: first.json['refreshToken'] });
    expect(replay.status).toBe(401);
    expect((replay.json['error'] as { code: string }).code).toBe('AUTH_REFRESH_REUSED');
    const me = await fetch(s.url('/api/v1/auth/me'), { headers: { authorization: `Bearer ${rotated.json['accessToken'] as string}` } });
    expect(me.status).toBe(401);
    expect(s.audit.ofType('auth.refresh.reused').length).toBeGreaterThan(0);
  });

  it('failed logins end in 429 with Retry-After', async () => {
    await call('admin', 'POST', '/api/v1/users', { username: 'target', password: PASSWORD, role: 'viewer' });
    for (let i = 0; i < 5; i++) expect((await login('target', 'wrong password!')).status).toBe(401);
    const blocked = await login('target');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((blocked.json['error'] as { code: string }).code).toBe('AUTH_THROTTLED');
  });

  it('sessions: listed, one revoked by id; someone else cannot revoke it', async () => {
    const extra = await login('moderator');
    const list = await call('moderator', 'GET', '/api/v1/sessions');
    const items = list.json['items'] as Array<{ id: string; current: boolean }>;
    expect(items.some((i) => i.id === extra.json['sessionId'])).toBe(true);
    expect((await call('viewer', 'DELETE', `/api/v1/sessions/${extra.json['sessionId'] as string}`)).status).toBe(404);
    expect((await call('moderator', 'DELETE', `/api/v1/sessions/${extra.json['sessionId'] as string}`)).status).toBe(204);
    const me = await fetch(s.url('/api/v1/auth/me'), { headers: { authorization: `Bearer ${extra.json['accessToken'] as string}` } });
    expect(me.status).toBe(401);
  });

  it('ffmpeg publishing with a good key goes live under the public id; a bad key is refused and audited', async () => {
    requireBinary('ffmpeg');
    const clip = await makeClip({ seconds: 4, width: 320, height: 240 });
    const { id, key } = await createStream('publisher', { title: 'ffmpeg', id: 'ffmpeg-show' });
    const good = publishClip(clip, s.rtmpUrl(key), 30);
    children.push(good);
    await waitFor(() => s.registry.get(id)?.state === 'LIVE', 'stream live under its public id');
    expect(s.registry.get(key)).toBeUndefined();

    const bad = publishClip(clip, s.rtmpUrl('sk_not-a-real-key-at-all-000000000'), 20);
    children.push(bad);
    expect(await bad.exited).not.toBe(0);
    expect(s.audit.ofType('stream_key.rejected').length).toBeGreaterThan(0);
    // Refused before claiming anything: no stream under the key's name.
    expect(s.registry.get('sk_not-a-real-key-at-all-000000000')).toBeUndefined();
    await good.stop();
  });

  it('rotation keeps the old key publishing during the grace period; revoke refuses it', async () => {
    const { id, key: oldKey } = await createStream('publisher', { title: 'rotate' });
    const rotated = await call('publisher', 'POST', `/api/v1/streams/${id}/keys/rotate`);
    const newKey = rotated.json['streamKey'] as string;
    const viaOld = await RtmpClient.connect(s.rtmpUrl(oldKey), { digest: false });
    await viaOld.publish();
    expect(s.registry.get(id)?.state).toBe('STARTING');
    viaOld.close();
    await waitFor(() => s.registry.get(id) === undefined, 'first publish ended');
    await call('publisher', 'POST', `/api/v1/streams/${id}/keys/revoke`);
    for (const k of [oldKey, newKey]) {
      const c = await RtmpClient.connect(s.rtmpUrl(k), { digest: false });
      const err = await c.publish().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RtmpRefusedError);
      expect((err as RtmpRefusedError).status).toBe('NetStream.Publish.Unauthorized');
    }
  });

  it('a publish token (scoped grant) publishes to its one stream only', async () => {
    const { id } = await createStream('publisher', { title: 'token publish' });
    const other = await createStream('publisher', { title: 'not this one' });
    expect((await call('other-publisher', 'POST', `/api/v1/streams/${id}/publish-token`, {})).status).toBe(403);
    const minted = await call('publisher', 'POST', `/api/v1/streams/${id}/publish-token`, { ttlSeconds: 60 });
    expect(minted.status).toBe(200);
    const token = minted.json['token'] as string;
    const wrong = await RtmpClient.connect(s.rtmpUrl(`${other.id}?token=${token}`), { digest: false });
    expect(await wrong.publish().catch((e: unknown) => (e as RtmpRefusedError).status)).toBe('NetStream.Publish.Unauthorized');
    // An access token in its place is refused: each kind validates only as itself.
    const access = tokens.get('admin') as string;
    const asAccess = await RtmpClient.connect(s.rtmpUrl(`${id}?token=${access}`), { digest: false });
    expect(await asAccess.publish().catch((e: unknown) => (e as RtmpRefusedError).status)).toBe('NetStream.Publish.Unauthorized');
    const right = await RtmpClient.connect(s.rtmpUrl(`${id}?token=${token}`), { digest: false });
    await right.publish();
    expect(s.registry.get(id)?.state).toBe('STARTING');
    right.close();
    await waitFor(() => s.registry.get(id) === undefined, 'publish ended');
  });

  it('a private stream: RTMP play and HTTP-FLV need a playback token (401 without, 403 for another stream)', async () => {
    const clip = await makeClip({ seconds: 4, width: 320, height: 240 });
    const { id, key } = await createStream('publisher', { title: 'private', private: true, id: 'private-show' });
    const pub = publishClip(clip, s.rtmpUrl(key), 40);
    children.push(pub);
    await waitFor(() => s.registry.get(id)?.state === 'LIVE', 'private stream live');

    const noToken = await fetch(s.url(`/live/${id}.flv`));
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('PLAYBACK_UNAUTHORIZED');

    const other = await createStream('publisher', { title: 'other public' });
    const wrongStream = (await call('publisher', 'POST', `/api/v1/streams/${other.id}/playback-token`, {})).json['token'] as string;
    expect((await fetch(s.url(`/live/${id}.flv?token=${wrongStream}`))).status).toBe(403);
    expect((await call('anonymous', 'POST', `/api/v1/streams/${other.id}/playback-token`, {})).status).toBe(401);
    // A viewer may not mint a token for someone else's private stream.
    expect((await call('viewer', 'POST', `/api/v1/streams/${id}/playback-token`, {})).status).toBe(403);

    const minted = await call('publisher', 'POST', `/api/v1/streams/${id}/playback-token`, { ttlSeconds: 60, bindIp: true });
    expect(minted.status).toBe(200);
    const token = minted.json['token'] as string;
    const ctrl = new AbortController();
    const ok = await fetch(s.url(`/live/${id}.flv?token=${token}`), { signal: ctrl.signal });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('video/x-flv');
    const reader = ok.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value ?? []).subarray(0, 3).toString()).toBe('FLV');
    ctrl.abort();

    // WS-FLV: the upgrade itself is answered 401, before any media.
    const wsStatus = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(s.url(`/live/${id}.flv`).replace('http:', 'ws:'));
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => reject(new Error('WS-FLV opened without a token')));
      ws.once('error', () => undefined);
    });
    expect(wsStatus).toBe(401);
    const wsOk = new WebSocket(s.url(`/live/${id}.flv?token=${token}`).replace('http:', 'ws:'));
    const firstMessage = await new Promise<Buffer>((resolve, reject) => {
      wsOk.once('message', (d: Buffer) => resolve(d));
      wsOk.once('error', reject);
    });
    expect(firstMessage.subarray(0, 3).toString()).toBe('FLV');
    wsOk.close();

    const refused = await RtmpClient.connect(s.rtmpUrl(id), { digest: false });
    const err = await refused.play().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RtmpRefusedError);
    expect((err as RtmpRefusedError).status).toBe('NetStream.Play.Failed');

    const player = await RtmpClient.connect(s.rtmpUrl(`${id}?token=${token}`), { digest: false });
    let media = 0;
    player.onMediaMessage = () => media++;
    await player.play();
    await waitFor(() => media > 5, 'RTMP player with a token receives media');
    player.abort(new Error('done'));
    await pub.stop();
  });

  it('control: pause stops delivery and keeps ingest, resume restarts it, stop ends the stream, hangs up on the publisher and refuses republishing until start', async () => {
    const clip = await makeClip({ seconds: 4, width: 320, height: 240 });
    const { id, key } = await createStream('publisher', { title: 'controlled' });
    const pub = publishClip(clip, s.rtmpUrl(key), 40);
    children.push(pub);
    await waitFor(() => s.registry.get(id)?.state === 'LIVE', 'live');
    const player = await RtmpClient.connect(s.rtmpUrl(id), { digest: false });
    let media = 0;
    player.onMediaMessage = () => media++;
    await player.play();
    await waitFor(() => media > 5, 'player receiving before pause');
    expect((await call('viewer', 'POST', `/api/v1/streams/${id}/pause`)).status).toBe(403);
    const paused = await call('publisher', 'POST', `/api/v1/streams/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.json['state']).toBe('PAUSED');
    expect((await call('publisher', 'POST', `/api/v1/streams/${id}/pause`)).status).toBe(409);
    // Ingest goes on (the stream keeps counting bytes in), delivery does not.
    const atPause = media;
    const ingestAtPause = s.registry.get(id)?.timeline.current ?? 0;
    await new Promise((r) => setTimeout(r, 800));
    expect(media - atPause).toBeLessThanOrEqual(2);
    expect(s.registry.get(id)?.timeline.current ?? 0).toBeGreaterThan(ingestAtPause + 300);
    expect((await call('publisher', 'POST', `/api/v1/streams/${id}/resume`)).json['state']).toBe('LIVE');
    await waitFor(() => media > atPause + 10, 'delivery again after resume');
    player.abort(new Error('done'));
    const stopped = await call('admin', 'POST', `/api/v1/streams/${id}/stop`);
    expect(stopped.json['state']).toBe('STOPPED');
    expect(s.registry.get(id)).toBeUndefined();
    expect(s.audit.ofType('stream.stop').at(-1)).toMatchObject({ target: id });
    // The encoder is told and hung up on: ffmpeg exits on its own long before its clip would end.
    const exitedBy = await Promise.race([pub.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
    expect(exitedBy).toBe('exited');
    await pub.stop();
    const again = await RtmpClient.connect(s.rtmpUrl(key), { digest: false });
    expect(await again.publish().catch((e: unknown) => (e as RtmpRefusedError).status)).toBe('NetStream.Publish.Unauthorized');
    expect((await call('publisher', 'POST', `/api/v1/streams/${id}/start`)).json['state']).toBe('IDLE');
    const restarted = await RtmpClient.connect(s.rtmpUrl(key), { digest: false });
    await restarted.publish();
    expect(s.registry.get(id)?.state).toBe('STARTING');
    restarted.abort(new Error('done'));
  });

  it('one streams list: catalog and live streams with pagination; private ones only to their owner, admins and moderators', async () => {
    await createStream('other-publisher', { title: 'secret', private: true, id: 'op-secret' });
    const ids = (r: { json: Record<string, unknown> }) => (r.json['streams'] as Array<{ id: string }>).map((i) => i.id);
    const asViewer = await call('viewer', 'GET', '/api/v1/streams?limit=200');
    expect(ids(asViewer)).not.toContain('op-secret');
    expect((await call('viewer', 'GET', '/api/v1/streams/op-secret')).status).toBe(404);
    expect((await call('anonymous', 'GET', '/api/v1/streams/op-secret')).status).toBe(404);
    expect((await call('other-publisher', 'GET', '/api/v1/streams/op-secret')).status).toBe(200);
    expect((await call('moderator', 'GET', '/api/v1/streams/op-secret')).json).toMatchObject({ id: 'op-secret', managed: true, private: true, title: 'secret', state: 'IDLE', live: false });
    expect(ids(await call('admin', 'GET', '/api/v1/streams?limit=200'))).toContain('op-secret');
    // A hub stream outside the catalog (an embedding app's own authorizePublish let it in) is listed to everyone.
    const outside = s.registry.claim('outside-catalog', { protocol: 'relay' });
    const seen = await call('viewer', 'GET', '/api/v1/streams/outside-catalog');
    expect(seen.json).toMatchObject({ id: 'outside-catalog', managed: false, title: null, state: 'STARTING', live: true, publisher: { protocol: 'relay' } });
    expect(ids(await call('anonymous', 'GET', '/api/v1/streams?limit=200'))).toContain('outside-catalog');
    const page1 = await call('admin', 'GET', '/api/v1/streams?limit=2');
    expect(ids(page1)).toHaveLength(2);
    expect(page1.json['total']).toBeGreaterThan(2);
    const page2 = await call('admin', 'GET', `/api/v1/streams?limit=2&cursor=${page1.json['nextCursor'] as string}`);
    expect(ids(page2)[0]).not.toBe(ids(page1)[0]);
    expect(ids(page2)).not.toContain(ids(page1)[1]);
    expect((await call('admin', 'GET', '/api/v1/streams?limit=0')).status).toBe(400);
    const badCursor = await call('admin', 'GET', '/api/v1/streams?cursor=no-such-stream');
    expect(badCursor.status).toBe(400);
    expect((badCursor.json['error'] as { details: { field: string } }).details.field).toBe('cursor');
    expect((await call('viewer', 'GET', '/api/v1/managed-streams')).status).toBe(404);
    outside.end('stopped');
  });

  it('serves the JWKS document', async () => {
    const res = await fetch(s.url('/.well-known/jwks.json'));
    expect(res.status).toBe(200);
    // HS256 only here: no public keys to publish, and the secret never appears.
    expect(await res.json()).toEqual({ keys: [] });
  });
});

describe('auth disabled (the embedded default)', () => {
  it('allows every action to anyone, and says so in one start-up warning line', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const s = await startAuthServer(false, createLogger({ level: 'info', format: 'json', destination }));
    try {
      const created = await fetch(s.url('/api/v1/streams'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'open' }) });
      expect(created.status).toBe(201);
      const id = ((await created.json()) as { stream: { id: string } }).stream.id;
      expect((await fetch(s.url('/api/v1/users'))).status).toBe(200);
      expect((await fetch(s.url(`/api/v1/streams/${id}/keys/rotate`), { method: 'POST' })).status).toBe(200);
      // Publishing needs no key: the name is the stream id, as before auth existed.
      const c = await RtmpClient.connect(s.rtmpUrl('anything-goes'), { digest: false });
      await c.publish();
      expect(s.registry.get('anything-goes')?.state).toBe('STARTING');
      c.close();
      const warnings = lines.filter((l) => l['level'] === 'warn' && String(l['msg']).includes('auth is disabled'));
      expect(warnings).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});
