import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtmpClient } from '../src/protocols/rtmp/index.js';
import { makeClip } from './helpers/clip.js';
import { publishClip, type FfmpegProcess } from './helpers/ffmpeg.js';
import { startRtmpPlayer, type RecordingPlayer } from './helpers/players.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

describe('a viewer that stops reading', () => {
  let server: TestServer;
  let publisher: FfmpegProcess;
  let healthy: RecordingPlayer;

  beforeAll(async () => {
    server = await startTestServer({
      streaming: { hub: { viewer_soft_limit_bytes: 32 * 1024, viewer_hard_limit_bytes: 8 * 1024 * 1024, viewer_max_skip_seconds: 3 } },
    });
    // Three times real time fills the stuck viewer's kernel buffers sooner; nothing else changes.
    publisher = publishClip(await makeClip(), server.rtmpUrl('busy'), 90, 3);
    await waitFor(() => server.live.streams.get('busy')?.state === 'LIVE', 'stream live');
    healthy = await startRtmpPlayer(server.rtmpUrl('busy'));
  });

  afterAll(async () => {
    healthy?.client.close();
    await publisher?.stop();
    await server?.stop();
  });

  it('is skipped to keyframes, then disconnected, while the other viewer and the publisher never notice', async () => {
    const left: string[] = [];
    server.live.on('viewerLeft', (v) => left.push(`${v.viewerId}:${v.reason ?? ''}`));
    // A long client-side timeout, so only the server can be the one that hangs up.
    const stuck = await RtmpClient.connect(server.rtmpUrl('busy'), { digest: false, timeoutMs: 120_000 });
    await stuck.play();
    // Stop reading: the kernel buffers fill, then the server's send queue grows.
    stuck.socket.pause();
    const start = healthy.messages.length;
    const t0 = Date.now();
    await waitFor(() => left.length > 0, 'the server to drop the stuck viewer', 40_000);
    // Reading again, the client finds the connection closed by the server.
    const closed = new Promise((resolve) => stuck.once('close', resolve));
    stuck.socket.resume();
    await closed;
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/:too-slow$/);
    const info = server.live.streams.get('busy');
    expect(info?.droppedFrames).toBeGreaterThan(0);
    expect(info?.viewers.rtmp).toBe(1);
    expect(info?.state).toBe('LIVE');
    const video = healthy.messages.slice(start).filter((m) => m.typeId === 9);
    const seconds = (Date.now() - t0) / 1000;
    // The healthy viewer got every frame throughout: a 30 fps clip read at 3x.
    expect(video.length).toBeGreaterThan(seconds * 80);
    let gap = 0;
    for (let i = 1; i < video.length; i++) gap = Math.max(gap, video[i]!.receivedAt - video[i - 1]!.receivedAt);
    expect(gap).toBeLessThan(400);
  }, 60_000);
});
