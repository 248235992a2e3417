import { connect } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StreamInfo } from '../src/index.js';
import { RtmpClient, RtmpRefusedError } from '../src/protocols/rtmp/index.js';
import { makeClip } from './helpers/clip.js';
import { publishClip, spawnFfmpeg, type FfmpegProcess } from './helpers/ffmpeg.js';
import { startRtmpPlayer } from './helpers/players.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

describe('stream lifecycle with real ffmpeg', () => {
  let clip: string;
  let server: TestServer | undefined;
  const children: FfmpegProcess[] = [];

  beforeAll(async () => {
    clip = await makeClip();
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await server?.stop();
    server = undefined;
  });

  function isLive(s: TestServer, id: string): boolean {
    return s.live.streams.get(id)?.state === 'LIVE';
  }

  it('publisher disconnect ends the stream: ENDED event, players get a clean end, the id is free again', async () => {
    server = await startTestServer();
    const s = server;
    const states: string[] = [];
    const ended: StreamInfo[] = [];
    s.live.on('streamStarted', (info) => states.push(`started:${info.id}`));
    s.live.on('streamEnded', (info) => {
      states.push(`ended:${info.id}:${info.state}`);
      ended.push(info);
    });
    const publisher = publishClip(clip, s.rtmpUrl('bye'));
    children.push(publisher);
    await waitFor(() => isLive(s, 'bye'), 'stream live');
    const ffplayer = spawnFfmpeg(['-v', 'error', '-rw_timeout', '5000000', '-i', s.rtmpUrl('bye'), '-c', 'copy', '-f', 'null', '-'], 30);
    children.push(ffplayer);
    const ourPlayer = await startRtmpPlayer(s.rtmpUrl('bye'));
    await waitFor(() => s.live.streams.get('bye')?.viewers.rtmp === 2, 'two rtmp viewers');
    await new Promise((r) => setTimeout(r, 1000));
    await publisher.stop();
    expect(await ffplayer.exited).toBe(0);
    expect(await ourPlayer.closed).toBeUndefined();
    await waitFor(() => ended.length === 1, 'streamEnded');
    expect(states).toEqual(['started:bye', 'ended:bye:ENDED']);
    expect(s.live.streams.get('bye')).toBeUndefined();
    const again = publishClip(clip, s.rtmpUrl('bye'));
    children.push(again);
    await waitFor(() => isLive(s, 'bye'), 'republished');
  });

  it('a second publisher on a live name is refused with BadName and the first stream is untouched', async () => {
    server = await startTestServer();
    const s = server;
    children.push(publishClip(clip, s.rtmpUrl('dup')));
    await waitFor(() => isLive(s, 'dup'), 'stream live');
    const player = await startRtmpPlayer(s.rtmpUrl('dup'));
    const second = await RtmpClient.connect(s.rtmpUrl('dup'), { digest: false });
    const refusal = await second.publish().catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(RtmpRefusedError);
    expect((refusal as RtmpRefusedError).status).toBe('NetStream.Publish.BadName');
    const dupFfmpeg = publishClip(clip, s.rtmpUrl('dup'), 15);
    children.push(dupFfmpeg);
    expect(await dupFfmpeg.exited).not.toBe(0);
    const before = player.messages.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(player.messages.length).toBeGreaterThan(before + 30);
    expect(s.live.streams.get('dup')?.state).toBe('LIVE');
    player.client.close();
  });

  it('stops gracefully: publishers and players are closed cleanly and the ports are released', async () => {
    server = await startTestServer();
    const s = server;
    const publisher = publishClip(clip, s.rtmpUrl('graceful'));
    children.push(publisher);
    await waitFor(() => isLive(s, 'graceful'), 'stream live');
    const player = await startRtmpPlayer(s.rtmpUrl('graceful'));
    const flv = fetch(s.flvUrl('graceful')).then(async (r) => (await r.arrayBuffer()).byteLength);
    await waitFor(() => s.live.streams.get('graceful')?.viewers.total === 2, 'viewers');
    const rtmpPort = s.live.rtmpPort!;
    const httpPort = s.live.httpPort!;
    const started = Date.now();
    await s.stop();
    server = undefined;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await player.closed).toBeUndefined();
    expect(await flv).toBeGreaterThan(1000);
    expect(await publisher.exited).not.toBeNull();
    for (const port of [rtmpPort, httpPort]) {
      const refused = await new Promise<boolean>((resolve) => {
        const sock = connect(port, '127.0.0.1');
        sock.once('connect', () => resolve(false));
        sock.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });

  it('drops a client stalled in the handshake and a publisher that sends no media', async () => {
    server = await startTestServer({ streaming: { rtmp: { handshake_timeout_seconds: 0.5, idle_timeout_seconds: 1 } } });
    const s = server;
    const stalled = connect(s.live.rtmpPort!, '127.0.0.1');
    const t0 = Date.now();
    await new Promise((resolve) => stalled.once('close', resolve));
    expect(Date.now() - t0).toBeLessThan(2500);

    const silent = await RtmpClient.connect(s.rtmpUrl('silent'), { digest: false });
    await silent.publish();
    expect(s.live.streams.get('silent')?.state).toBe('STARTING');
    await new Promise((resolve) => silent.once('close', resolve));
    await waitFor(() => s.live.streams.get('silent') === undefined, 'idle stream removed');
  });

  it('awaits the authorizePublish hook: refusal reaches ffmpeg, and a key can map to a public stream id', async () => {
    const seen: string[] = [];
    server = await startTestServer({}, {
      authorizePublish: async (key, info) => {
        seen.push(`${info.app}/${key}?${info.query['token'] ?? ''}`);
        await new Promise((r) => setTimeout(r, 50));
        if (key === 'secret-key') return { allow: true, streamId: 'public-show' };
        return { allow: false, reason: 'unknown stream key' };
      },
    });
    const s = server;
    const client = await RtmpClient.connect(s.rtmpUrl('wrong'), { digest: false });
    const refusal = (await client.publish().catch((e: unknown) => e)) as RtmpRefusedError;
    expect(refusal.status).toBe('NetStream.Publish.Unauthorized');
    expect(refusal.message).toContain('unknown stream key');
    const badFfmpeg = publishClip(clip, s.rtmpUrl('wrong'), 15);
    children.push(badFfmpeg);
    expect(await badFfmpeg.exited).not.toBe(0);
    children.push(publishClip(clip, `${s.rtmpUrl('secret-key')}?token=abc`));
    await waitFor(() => isLive(s, 'public-show'), 'mapped stream live');
    expect(s.live.streams.get('secret-key')).toBeUndefined();
    expect(seen).toContain('live/secret-key?abc');
  });

  it('refuses an unknown application at connect', async () => {
    server = await startTestServer();
    const url = server.rtmpUrl('x').replace('/live/', '/other/');
    await expect(RtmpClient.connect(url, { digest: false })).rejects.toThrow(/unknown application "other"/);
  });
});
