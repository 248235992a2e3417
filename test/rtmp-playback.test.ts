import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamInfo } from '../src/index.js';
import { makeClip } from './helpers/clip.js';
import { probe, publishClip, rate, type FfmpegProcess } from './helpers/ffmpeg.js';
import { flvTags, isAvcSequenceHeader, isVideoKeyframe, recordWsFlv, startRtmpPlayer } from './helpers/players.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

describe('RTMP ingest played over RTMP, HTTP-FLV and WS-FLV (real ffmpeg)', () => {
  let server: TestServer;
  let clip: string;
  const publishers: FfmpegProcess[] = [];

  beforeAll(async () => {
    clip = await makeClip();
    server = await startTestServer();
    publishers.push(publishClip(clip, server.rtmpUrl('demo')), publishClip(clip, server.rtmpUrl('second')));
    await waitFor(() => server.live.streams.list().filter((s) => s.state === 'LIVE' && s.video !== null && s.audio !== null).length === 2, 'two live streams');
  });

  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.stop()));
    await server?.stop();
  });

  function expectClipStreams(streams: Awaited<ReturnType<typeof probe>>): void {
    const video = streams.find((s) => s.codec_type === 'video');
    const audio = streams.find((s) => s.codec_type === 'audio');
    expect(video?.codec_name).toBe('h264');
    expect(video?.width).toBe(1280);
    expect(video?.height).toBe(720);
    expect(rate(video?.r_frame_rate)).toBeCloseTo(30, 0);
    expect(audio?.codec_name).toBe('aac');
    expect(audio?.sample_rate).toBe('44100');
  }

  it('ffprobe reads the stream over RTMP', async () => {
    expectClipStreams(await probe(server.rtmpUrl('demo')));
  });

  it('ffprobe reads the stream over HTTP-FLV', async () => {
    expectClipStreams(await probe(server.flvUrl('demo')));
  });

  it('ffprobe reads what a WS-FLV viewer receives, and it starts with headers then a keyframe', async () => {
    const bytes = await recordWsFlv(server.wsUrl('demo'), 2500);
    const tags = flvTags(bytes);
    const firstVideo = tags.filter((t) => t.type === 9);
    expect(isAvcSequenceHeader(firstVideo[0]!.body)).toBe(true);
    expect(isVideoKeyframe(firstVideo[1]!.body)).toBe(true);
    const file = join(await mkdtemp(join(tmpdir(), 'zenlive-wsflv-')), 'ws.flv');
    await writeFile(file, bytes);
    expectClipStreams(await probe(file));
    const counted = await probe(file, ['-count_frames', '-select_streams', 'v']);
    expect(Number(counted[0]?.nb_read_frames)).toBeGreaterThan(30);
  });

  it('a player joining mid-stream starts on a keyframe with its sequence headers', async () => {
    const player = await startRtmpPlayer(server.rtmpUrl('second'));
    await waitFor(() => player.messages.filter((m) => m.typeId === 9).length > 5, 'video messages');
    player.client.close();
    const video = player.messages.filter((m) => m.typeId === 9);
    expect(isAvcSequenceHeader(video[0]!.payload)).toBe(true);
    expect(isVideoKeyframe(video[1]!.payload)).toBe(true);
    const audio = player.messages.filter((m) => m.typeId === 8);
    // AAC sequence header (AACPacketType 0) comes before any raw AAC frame.
    expect(audio[0]?.payload[1]).toBe(0);
  });

  it('serves two streams at once, each with its own content', async () => {
    const [a, b] = await Promise.all([probe(server.flvUrl('demo')), probe(server.flvUrl('second'))]);
    expectClipStreams(a);
    expectClipStreams(b);
  });

  it('lists live streams with codecs, size, fps, bitrate, uptime and viewers per protocol', async () => {
    const player = await startRtmpPlayer(server.rtmpUrl('demo'));
    try {
      await waitFor(async () => {
        const body = (await (await fetch(server.httpUrl('/api/v1/streams/demo'))).json()) as { bitrateKbps: number };
        return body.bitrateKbps > 0;
      }, 'bitrate measured');
      const list = (await (await fetch(server.httpUrl('/api/v1/streams'))).json()) as { streams: Array<{ id: string }>; total: number };
      expect(list.streams.map((s) => s.id).sort()).toEqual(['demo', 'second']);
      const res = await fetch(server.httpUrl('/api/v1/streams/demo'));
      expect(res.status).toBe(200);
      const s = (await res.json()) as StreamInfo;
      expect(s.state).toBe('LIVE');
      expect(s.video?.codec).toBe('h264');
      expect(s.video?.codecString).toMatch(/^avc1\.64/);
      expect(s.audio?.codec).toBe('aac');
      expect(s.audio?.sampleRate).toBe(44100);
      expect([s.width, s.height]).toEqual([1280, 720]);
      expect(s.fps).toBeCloseTo(30, 0);
      expect(s.bitrateKbps).toBeGreaterThan(1000);
      expect(s.bitrateKbps).toBeLessThan(6000);
      expect(s.uptimeSeconds).toBeGreaterThan(0);
      expect(s.viewers.rtmp).toBeGreaterThanOrEqual(1);
      expect(s.viewers.total).toBe(s.viewers.rtmp + s.viewers.flv + s.viewers['ws-flv'] + s.viewers.hls + s.viewers.webrtc + s.viewers.other);
      expect(s.publisher.protocol).toBe('rtmp');
    } finally {
      player.client.close();
    }
  });

  it('answers unknown streams with 404 JSON on the API and on HTTP-FLV', async () => {
    for (const path of ['/api/v1/streams/nope', '/live/nope.flv']) {
      const res = await fetch(server.httpUrl(path));
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('STREAM_NOT_FOUND');
      expect(body.error.message).toContain('nope');
    }
  });

  it('reports health and readiness', async () => {
    expect((await fetch(server.httpUrl('/healthz'))).status).toBe(200);
    expect(await (await fetch(server.httpUrl('/readyz'))).json()).toEqual({ status: 'ready' });
  });
});
