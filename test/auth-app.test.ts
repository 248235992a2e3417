import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { UserDirectory } from '../src/auth/index.js';
import { verifyAuditLog } from '../src/security/index.js';
import { makeClip } from './helpers/clip.js';
import { publishClip, spawnFfmpeg, type FfmpegProcess } from './helpers/ffmpeg.js';
import { parseMediaPlaylist } from './helpers/hls.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

/** The whole app with auth on (as `zenlive --config` runs it): keys, private HLS, audit file. */
describe('auth in the running server', () => {
  let s: TestServer;
  let publisher: FfmpegProcess | undefined;
  let auditFile: string;
  let adminToken: string;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenlive-auth-app-'));
    const users = await UserDirectory.open(join(dir, 'users.json'));
    await users.create({ username: 'root', password: 'correct horse battery', role: 'admin' });
    auditFile = join(dir, 'audit.jsonl');
    s = await startTestServer({
      environment: 'production',
      auth: { enabled: true, jwt_secret: 'app-test-secret-0123456789abcdefghijklmnop', users_file: join(dir, 'users.json') },
      security: { audit_log_file: auditFile },
      streaming: { enable_hls: true },
      chat: { enabled: true },
    });
    const login = await fetch(s.httpUrl('/api/v1/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: 'correct horse battery' }) });
    expect(login.status).toBe(200);
    adminToken = ((await login.json()) as { accessToken: string }).accessToken;
  });

  afterAll(async () => {
    await publisher?.stop();
    await s?.stop();
  });

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(s.httpUrl(path), { method, headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };

  it('publishes a private stream with its key; HLS needs a playback token and carries it into every URI', async () => {
    const created = await api('POST', '/api/v1/streams', { id: 'vip', title: 'members only', private: true });
    expect(created.status).toBe(201);
    const key = created.json['streamKey'] as string;
    expect(key.length).toBeGreaterThanOrEqual(22);
    // A wrong key never goes live.
    const wrong = publishClip(await makeClip({ seconds: 2, width: 320, height: 240 }), s.rtmpUrl('not-the-key'), 20);
    expect(await wrong.exited).not.toBe(0);
    publisher = publishClip(await makeClip({ seconds: 20, width: 320, height: 240 }), s.rtmpUrl(key), 60);
    await waitFor(() => s.live.streams.get('vip')?.state === 'LIVE', 'vip live', 15_000);

    const without = await fetch(s.httpUrl('/live/vip/index.m3u8'));
    expect(without.status).toBe(401);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe('PLAYBACK_UNAUTHORIZED');
    expect((await fetch(s.httpUrl('/live/vip/source/index.m3u8?token=forged'))).status).toBe(401);
    expect((await fetch(s.httpUrl('/live/vip.flv'))).status).toBe(401);

    const playback = await api('POST', '/api/v1/streams/vip/playback-token', {});
    expect(playback.status).toBe(200);
    const token = playback.json['token'] as string;
    const q = `token=${encodeURIComponent(token)}`;
    await waitFor(async () => (await fetch(s.httpUrl(`/live/vip/source/index.m3u8?${q}`))).status === 200, 'first segment', 15_000);
    const media = parseMediaPlaylist(await (await fetch(s.httpUrl(`/live/vip/source/index.m3u8?${q}`))).text());
    expect(media.map).toContain(q);
    for (const seg of media.segments) expect(seg.uri).toContain(q);
    const segment = await fetch(s.httpUrl(`/live/vip/source/${media.segments[0]?.uri ?? ''}`));
    expect(segment.status).toBe(200);
    // The same segment without the token is refused.
    expect((await fetch(s.httpUrl(`/live/vip/source/${(media.segments[0]?.uri ?? '').split('?')[0] ?? ''}`))).status).toBe(401);
    // A player given only the master URL plays it end to end.
    const reader = spawnFfmpeg(['-v', 'error', '-i', s.httpUrl(`/live/vip/index.m3u8?${q}`), '-t', '2', '-c', 'copy', '-f', 'null', '-'], 30);
    expect(await reader.exited).toBe(0);
  });

  it('hides the renditions of a private stream from anyone who may not see it', async () => {
    expect((await fetch(s.httpUrl('/api/v1/streams/vip/renditions'))).status).toBe(404);
    expect((await api('GET', '/api/v1/streams/vip/renditions')).status).toBe(200);
  });

  it('chat over WebSocket takes the same access tokens: signed-in users write, anonymous viewers only read, a forged token is refused', async () => {
    const open = (query: string): Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>> }> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(s.httpUrl(`/ws/chat?${query}`).replace('http:', 'ws:'));
        const frames: Array<Record<string, unknown>> = [];
        ws.on('message', (d: Buffer) => {
          for (const line of d.toString().split('\n')) frames.push(JSON.parse(line) as Record<string, unknown>);
        });
        ws.once('open', () => resolve({ ws, frames }));
        ws.once('error', reject);
      });
    const until = async (frames: Array<Record<string, unknown>>, match: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
      let found: Record<string, unknown> | undefined;
      await waitFor(() => (found = frames.find(match)) !== undefined, 'a chat frame');
      return found as Record<string, unknown>;
    };
    const admin = await open(`token=${encodeURIComponent(adminToken)}&room=vip`);
    const viewer = await open('room=vip');
    try {
      expect(await until(admin.frames, (f) => f['type'] === 'welcome')).toMatchObject({ user: { role: 'admin' } });
      await until(viewer.frames, (f) => f['type'] === 'joined');
      admin.ws.send(JSON.stringify({ v: 1, type: 'message', room: 'vip', content: 'hello from the admin', ref: 'a1' }));
      expect(await until(viewer.frames, (f) => f['type'] === 'message')).toMatchObject({ content: 'hello from the admin', user: { id: expect.any(String) } });
      viewer.ws.send(JSON.stringify({ v: 1, type: 'message', room: 'vip', content: 'me too', ref: 'v1' }));
      expect(await until(viewer.frames, (f) => f['ref'] === 'v1')).toMatchObject({ type: 'error', code: 'CHAT_AUTH_REQUIRED' });
      const forged = new WebSocket(s.httpUrl('/ws/chat?token=forged').replace('http:', 'ws:'));
      const code = await new Promise<number>((resolve) => forged.once('close', (c: number) => resolve(c)));
      expect(code).toBe(4401);
    } finally {
      admin.ws.close();
      viewer.ws.close();
    }
  });

  it('writes security events to a hash-chained audit file that verifies', async () => {
    await fetch(s.httpUrl('/api/v1/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: 'wrong password' }) });
    await waitFor(async () => (await verifyAuditLog(auditFile).catch(() => ({ verifiedLines: 0 }))).verifiedLines >= 3, 'audit entries');
    const report = await verifyAuditLog(auditFile);
    expect(report.ok).toBe(true);
  });
});

describe('streams and keys across a restart', () => {
  it('a stream created before a restart keeps its settings and its key publishes after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zenlive-auth-restart-'));
    const users = await UserDirectory.open(join(dir, 'users.json'));
    await users.create({ username: 'root', password: 'correct horse battery', role: 'admin' });
    const config = {
      auth: { enabled: true, jwt_secret: 'restart-test-secret-0123456789abcdefghijk', users_file: join(dir, 'users.json'), streams_file: join(dir, 'streams.json') },
      streaming: { enable_hls: true },
    };
    const first = await startTestServer(config);
    let key: string;
    try {
      const login = await fetch(first.httpUrl('/api/v1/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: 'correct horse battery' }) });
      const token = ((await login.json()) as { accessToken: string }).accessToken;
      const created = await fetch(first.httpUrl('/api/v1/streams'), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'kept', title: 'kept across restarts', private: true }) });
      expect(created.status).toBe(201);
      key = ((await created.json()) as { streamKey: string }).streamKey;
    } finally {
      await first.stop();
    }
    const saved = await readFile(join(dir, 'streams.json'), 'utf8');
    expect(saved).toContain('"kept"');
    expect(saved).not.toContain(key);
    const second = await startTestServer(config);
    try {
      const pub = publishClip(await makeClip({ seconds: 4, width: 320, height: 240 }), second.rtmpUrl(key), 20);
      try {
        await waitFor(() => second.live.streams.get('kept')?.state === 'LIVE', 'the kept stream live after the restart', 15_000);
        // Still private: no playback without a token.
        expect((await fetch(second.httpUrl('/live/kept.flv'))).status).toBe(401);
      } finally {
        await pub.stop();
      }
    } finally {
      await second.stop();
    }
  });
});
