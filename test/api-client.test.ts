import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { UserDirectory } from '../src/auth/index.js';
import { verifyWebhookSignature } from '../src/events/index.js';
import type { LoginBody, RefreshBody } from '../src/http/routes/auth.js';
import type { CreateStream, PlaybackTokenBody, PublishTokenBody, UpdateStream } from '../src/http/routes/stream-admin.js';
import type { CreateUser, UpdateUser } from '../src/http/routes/users.js';
import { RtmpClient, ZenLiveApiError, ZenLiveClient, type ApiTypes, type ClientTokens } from '../src/index.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

const ADMIN_PASSWORD = 'correct horse battery';

/** A webhook receiver on 127.0.0.1:0 that keeps every request it gets. */
async function startReceiver(): Promise<{ url: string; got: Array<{ headers: IncomingHttpHeaders; body: string }>; close(): Promise<void> }> {
  const got: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hooks`, got, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function apiError(p: Promise<unknown>): Promise<ZenLiveApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ZenLiveApiError);
  return err as ZenLiveApiError;
}

/** Breaks the signature of a real access token: the server refuses it as AUTH_INVALID_TOKEN. */
function tamper(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}

describe('ZenLiveClient against the running app with auth on', () => {
  let s: TestServer;
  let admin: ZenLiveClient;
  const client = (tokens: ClientTokens = {}, onTokens?: (t: ClientTokens) => void): ZenLiveClient =>
    new ZenLiveClient({ baseUrl: s.httpUrl(''), ...tokens, ...(onTokens !== undefined ? { onTokens } : {}) });

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenlive-api-client-'));
    const users = await UserDirectory.open(join(dir, 'users.json'));
    await users.create({ username: 'root', password: ADMIN_PASSWORD, role: 'admin' });
    s = await startTestServer({
      auth: { enabled: true, jwt_secret: 'api-client-secret-0123456789abcdefghijklmnop', users_file: join(dir, 'users.json') },
      streaming: { enable_hls: true },
      webhooks: { initial_backoff_ms: 50, max_backoff_ms: 200 },
    });
    admin = client();
    await admin.auth.login('root', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await s?.stop();
  });

  it('health, readiness and JWKS need no token', async () => {
    const anonymous = client();
    expect(await anonymous.health()).toEqual({ status: 'ok' });
    expect(await anonymous.ready()).toEqual({ status: 'ready' });
    expect(await anonymous.jwks()).toEqual({ keys: [] });
  });

  it('signs in, reads me, and refuses a wrong password with AUTH_INVALID_CREDENTIALS', async () => {
    const me = await admin.auth.me();
    expect(me).toMatchObject({ username: 'root', role: 'admin' });
    expect(me.sessionId).not.toBeNull();
    const err = await apiError(client().auth.login('root', 'not the password'));
    expect([err.status, err.code]).toEqual([401, 'AUTH_INVALID_CREDENTIALS']);
    const anonymous = await apiError(client().auth.me());
    expect([anonymous.status, anonymous.code]).toEqual([401, 'AUTH_REQUIRED']);
  });

  it('a 400 names the failing field', async () => {
    const err = await apiError(admin.streams.create({ title: '' }));
    expect([err.status, err.code, err.field]).toEqual([400, 'VALIDATION_FAILED', 'title']);
    const user = await apiError(admin.users.create({ username: 'shorty', password: 'short', role: 'viewer' }));
    expect(user.field).toBe('password');
    const page = await apiError(admin.streams.list({ limit: 0 }));
    expect(page.field).toBe('limit');
  });

  it('manages users: create, get, list, role change, delete; a viewer may not', async () => {
    const created = await admin.users.create({ username: 'vera', password: 'viewer password 1', role: 'viewer' });
    expect(await admin.users.get(created.id)).toEqual(created);
    const vera = client();
    await vera.auth.login('vera', 'viewer password 1');
    const forbidden = await apiError(vera.users.list());
    expect([forbidden.status, forbidden.code]).toEqual([403, 'AUTH_FORBIDDEN']);
    expect((await admin.users.setRole(created.id, 'moderator')).role).toBe('moderator');
    // The role change ended vera's sessions, and she holds no usable refresh either: signed out.
    expect((await apiError(vera.auth.me())).status).toBe(401);
    const listed: string[] = [];
    for await (const u of admin.users.all({ limit: 1 })) listed.push(u.username);
    expect(listed).toEqual(expect.arrayContaining(['root', 'vera']));
    await admin.users.delete(created.id);
    expect((await apiError(admin.users.get(created.id))).code).toBe('USER_NOT_FOUND');
  });

  it('refreshes once on a refused access token, keeps the rotated refresh token, and one refresh serves concurrent calls', async () => {
    const seed = client();
    const pair = await seed.auth.login('root', ADMIN_PASSWORD);
    const changes: ClientTokens[] = [];
    const c = client({ accessToken: tamper(pair.accessToken), refreshToken: pair.refreshToken }, (t) => changes.push(t));
    const [a, b] = await Promise.all([c.auth.me(), c.streams.list()]);
    expect(a.username).toBe('root');
    expect(b.total).toBeGreaterThanOrEqual(0);
    expect(changes).toHaveLength(1);
    expect(c.tokens.refreshToken).not.toBe(pair.refreshToken);
    expect(c.tokens.accessToken).not.toBe(pair.accessToken);
    // The old refresh token was rotated away: presenting it again is reuse, and revokes the family.
    const reused = await apiError(client({ refreshToken: pair.refreshToken }).auth.refresh());
    expect([reused.status, reused.code]).toEqual([401, 'AUTH_REFRESH_REUSED']);
    // ...so the client's own tokens of that family stop working too, and its refresh fails loudly.
    expect((await apiError(c.auth.me())).status).toBe(401);
    // No refresh token: the 401 comes straight back.
    const bare = client({ accessToken: tamper(pair.accessToken) });
    expect((await apiError(bare.auth.me())).code).toBe('AUTH_INVALID_TOKEN');
  });

  it('sessions: lists them, revokes one, logout and logout-all', async () => {
    const other = client();
    await other.auth.login('root', ADMIN_PASSWORD);
    const sessions = await admin.sessions.list();
    const mine = sessions.find((x) => x.current);
    expect(mine).toBeDefined();
    const otherId = (await other.auth.me()).sessionId as string;
    expect(sessions.map((x) => x.id)).toContain(otherId);
    await admin.sessions.revoke(otherId);
    expect((await apiError(other.auth.me())).status).toBe(401);
    const third = client();
    await third.auth.login('root', ADMIN_PASSWORD);
    await third.auth.logout();
    expect(third.tokens).toEqual({});
    const fourth = client();
    await fourth.auth.login('root', ADMIN_PASSWORD);
    const { revoked } = await fourth.auth.logoutAll();
    expect(revoked).toBeGreaterThanOrEqual(2);
    // That signed the admin client out too: sign in again for the next tests.
    expect((await apiError(admin.auth.me())).status).toBe(401);
    await admin.auth.login('root', ADMIN_PASSWORD);
  });

  it('streams: create shows the key once, list and iterate pages, get, update, keys, tokens, control, renditions, delete', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await admin.streams.create({ id: `page-${i}`, title: `page ${i}` })).stream.id);
    const created = await admin.streams.create({ id: 'show', title: 'The show', private: true });
    expect(created.stream).toMatchObject({ id: 'show', title: 'The show', private: true, managed: true, state: 'IDLE', live: false, activeKeys: 1 });
    expect(created.streamKey.length).toBeGreaterThanOrEqual(22);
    expect(JSON.stringify(await admin.streams.get('show'))).not.toContain(created.streamKey);

    const seen: string[] = [];
    for await (const st of admin.streams.all({ limit: 2 })) seen.push(st.id);
    expect(seen).toEqual(expect.arrayContaining([...ids, 'show']));
    expect(new Set(seen).size).toBe(seen.length);
    const first = await admin.streams.list({ limit: 2 });
    expect(first.streams).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();

    expect((await admin.streams.update('show', { title: 'The show, live' })).title).toBe('The show, live');
    const rotated = await admin.streams.rotateKey('show');
    expect(rotated.streamKey).not.toBe(created.streamKey);
    expect((await admin.streams.get('show')).activeKeys).toBe(2);
    expect((await admin.streams.revokeKeys('show')).revoked).toBe(2);
    const key = (await admin.streams.rotateKey('show')).streamKey;
    const publish = await admin.streams.publishToken('show', { ttlSeconds: 60 });
    expect(publish.token.split('.')).toHaveLength(3);
    const playback = await admin.streams.playbackToken('show', { bindIp: '10.1.2.3' });
    expect(playback.boundIp).toBe('10.1.2.3');

    // Live: the key publishes the stream under its public id; the list shows its live fields.
    const rtmp = await RtmpClient.connect(s.rtmpUrl(key), { digest: false });
    await rtmp.publish();
    await waitFor(async () => (await admin.streams.get('show')).live, 'show live');
    const live = await admin.streams.get('show');
    expect(live).toMatchObject({ state: 'STARTING', managed: true, publisher: { protocol: 'rtmp' } });
    expect(live.viewers.total).toBe(0);
    const renditions = await admin.streams.renditions('show');
    expect(renditions.renditions.map((r) => r.name)).toContain('source');
    expect((await apiError(admin.streams.renditions('nobody-here'))).code).toBe('STREAM_NOT_FOUND');

    // A viewer does not see the private stream at all, and may not control it.
    await admin.users.create({ username: 'val', password: 'viewer password 2', role: 'viewer' });
    const val = client();
    await val.auth.login('val', 'viewer password 2');
    expect((await apiError(val.streams.get('show'))).status).toBe(404);
    const visible: string[] = [];
    for await (const st of val.streams.all()) visible.push(st.id);
    expect(visible).toEqual(expect.arrayContaining(ids));
    expect(visible).not.toContain('show');
    expect((await apiError(val.streams.stop('show'))).status).toBe(403);

    const stopped = await admin.streams.stop('show');
    expect(stopped).toMatchObject({ id: 'show', stopped: true });
    await waitFor(async () => !(await admin.streams.get('show')).live, 'publisher hung up');
    rtmp.abort(new Error('stopped by the server'));
    expect((await admin.streams.start('show')).stopped).toBe(false);
    expect((await apiError(admin.streams.pause('show'))).code).toBe('STREAM_NOT_FOUND');

    for (const id of ids) await admin.streams.delete(id);
    expect((await apiError(admin.streams.get(ids[0] ?? ''))).code).toBe('STREAM_NOT_FOUND');
  });

  it('webhooks: subscribe, list, get, update, test, deliveries, delete; events reach a real receiver signed', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await admin.webhooks.create({ url: receiver.url, events: ['streamCreated'], description: 'api client test' });
      expect(hook.secret.length).toBeGreaterThan(20);
      expect(await admin.webhooks.get(hook.id)).toMatchObject({ id: hook.id, url: receiver.url, events: ['streamCreated'], active: true });
      const listed: string[] = [];
      for await (const h of admin.webhooks.all({ limit: 1 })) listed.push(h.id);
      expect(listed).toContain(hook.id);
      const bad = await apiError(admin.webhooks.update(hook.id, { url: 'ftp://nope' }));
      expect([bad.status, bad.field]).toEqual([400, 'url']);
      expect((await admin.webhooks.update(hook.id, { description: 'renamed' })).description).toBe('renamed');

      const { eventId } = await admin.webhooks.test(hook.id);
      const created = await admin.streams.create({ id: 'hooked', title: 'hooked' });
      const rtmp = await RtmpClient.connect(s.rtmpUrl(created.streamKey), { digest: false });
      await rtmp.publish();
      await waitFor(() => receiver.got.length >= 2, 'two deliveries', 15_000);
      rtmp.abort(new Error('done'));
      const events = receiver.got.map((g) => {
        const check = verifyWebhookSignature({ secret: hook.secret, headers: g.headers, body: g.body });
        expect(check.valid).toBe(true);
        return JSON.parse(g.body) as { id: string; type: string; data: { id?: string } };
      });
      expect(events[0]).toMatchObject({ id: eventId, type: 'webhook.test' });
      expect(events[1]).toMatchObject({ type: 'streamCreated', data: { id: 'hooked' } });
      await waitFor(async () => (await admin.webhooks.deliveries(hook.id)).filter((d) => d.outcome === 'delivered').length >= 2, 'delivery log');

      await admin.webhooks.delete(hook.id);
      expect((await apiError(admin.webhooks.get(hook.id))).code).toBe('WEBHOOK_NOT_FOUND');
      await admin.streams.delete('hooked');
    } finally {
      await receiver.close();
    }
  });

  it('a viewer may not manage webhooks', async () => {
    const v = client();
    await v.auth.login('val', 'viewer password 2');
    expect((await apiError(v.webhooks.list())).code).toBe('AUTH_FORBIDDEN');
  });

  it('unreachable servers are API_UNREACHABLE with status 0', async () => {
    const closed = await startReceiver();
    await closed.close();
    const err = await apiError(new ZenLiveClient({ baseUrl: closed.url.replace('/hooks', '') }).health());
    expect([err.status, err.code]).toEqual([0, 'API_UNREACHABLE']);
  });
});

describe('an embedding app with its own accounts (verifyCredentials)', () => {
  it('signs in through the hook: the app decides who exists and with which role', async () => {
    const asked: string[] = [];
    const s = await startTestServer(
      { auth: { enabled: true, jwt_secret: 'api-client-hook-secret-0123456789abcdefghijk' } },
      {
        verifyCredentials: async (username, password) => {
          asked.push(username);
          return username === 'carol' && password === 'from the app' ? { userId: 'app-42', username: 'carol', role: 'publisher' } : undefined;
        },
      },
    );
    try {
      const c = new ZenLiveClient({ baseUrl: s.httpUrl('') });
      const signedIn = await c.auth.login('carol', 'from the app');
      expect(signedIn.user).toEqual({ id: 'app-42', username: 'carol', role: 'publisher' });
      expect(await c.auth.me()).toMatchObject({ id: 'app-42', role: 'publisher' });
      expect((await c.streams.create({ title: 'carol live' })).stream.ownerId).toBe('app-42');
      expect((await apiError(new ZenLiveClient({ baseUrl: s.httpUrl('') }).auth.login('carol', 'wrong'))).code).toBe('AUTH_INVALID_CREDENTIALS');
      expect(asked).toEqual(['carol', 'carol']);
    } finally {
      await s.stop();
    }
  });
});

describe('client request types match the route schemas', () => {
  it('are the zod input types of each body', () => {
    expectTypeOf<ApiTypes.CreateStreamInput>().toEqualTypeOf<z.input<typeof CreateStream>>();
    expectTypeOf<ApiTypes.UpdateStreamInput>().toEqualTypeOf<z.input<typeof UpdateStream>>();
    expectTypeOf<ApiTypes.PublishTokenInput>().toEqualTypeOf<z.input<typeof PublishTokenBody>>();
    expectTypeOf<ApiTypes.PlaybackTokenInput>().toEqualTypeOf<z.input<typeof PlaybackTokenBody>>();
    expectTypeOf<ApiTypes.CreateUserInput>().toEqualTypeOf<z.input<typeof CreateUser>>();
    expectTypeOf<ApiTypes.UpdateUserInput>().toEqualTypeOf<z.input<typeof UpdateUser>>();
    expectTypeOf<{ username: string; password: string }>().toEqualTypeOf<z.input<typeof LoginBody>>();
    expectTypeOf<{ refreshToken: string }>().toEqualTypeOf<z.input<typeof RefreshBody>>();
  });
});
