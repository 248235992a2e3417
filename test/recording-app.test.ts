import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingMetadata } from '../src/storage/index.js';
import { makeClip } from './helpers/clip.js';
import { probe, spawnFfmpeg } from './helpers/ffmpeg.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

/** Recording as `zenlive --config` runs it: local storage, MP4 and FLV, thumbnails, REST. */
describe('recording in the running server', () => {
  let s: TestServer;
  let dir: string;
  const finished: RecordingMetadata[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zenlive-rec-app-'));
    s = await startTestServer({
      storage: { type: 'local', local: { path: join(dir, 'store') } },
      recording: { enabled: true, formats: ['mp4', 'flv'], path: join(dir, 'tmp'), thumbnails: { interval_seconds: 1, sizes: [{ width: 160, height: 90 }] } },
    });
    s.live.on('recordingFinished', (r) => finished.push(r));
  });

  afterAll(async () => {
    await s?.stop();
  });

  it('records a published stream to MP4 and FLV that play, lists it and serves it with Range', async () => {
    const clip = await makeClip({ seconds: 6, width: 640, height: 360 });
    // Published once through (not looped), so the stream ends by itself and the recording is finalised.
    const pub = spawnFfmpeg(['-v', 'error', '-re', '-i', clip, '-c', 'copy', '-f', 'flv', s.rtmpUrl('show')], 30);
    await waitFor(async () => (await fetch(s.httpUrl('/live/show/thumbnail.jpg'))).status === 200, 'a thumbnail', 15_000);
    const thumb = Buffer.from(await (await fetch(s.httpUrl('/live/show/thumbnail.jpg'))).arrayBuffer());
    const thumbFile = join(dir, 'thumb.jpg');
    await writeFile(thumbFile, thumb);
    expect((await probe(thumbFile))[0]).toMatchObject({ width: 160, height: 90 });
    expect(await pub.exited).toBe(0);
    await waitFor(() => finished.length > 0, 'recordingFinished', 20_000);
    const list = (await (await fetch(s.httpUrl('/api/v1/recordings?stream_id=show'))).json()) as { recordings: RecordingMetadata[] };
    expect(list.recordings).toHaveLength(1);
    const rec = list.recordings[0] as RecordingMetadata;
    expect(rec.id).toBe(finished[0]?.id);
    expect(Math.abs(rec.durationMs / 1000 - 6)).toBeLessThan(0.5);
    for (const format of ['mp4', 'flv']) {
      const url = s.httpUrl(`/api/v1/recordings/${rec.id}/download?format=${format}`);
      const [video] = (await probe(url)).filter((st) => st.codec_type === 'video');
      expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
      const check = spawnFfmpeg(['-v', 'error', '-i', url, '-f', 'null', '-'], 30);
      expect(await check.exited).toBe(0);
      expect(check.stderr().trim(), format).toBe('');
    }
    const partial = await fetch(s.httpUrl(`/api/v1/recordings/${rec.id}/download`), { headers: { range: 'bytes=0-99' } });
    expect(partial.status).toBe(206);
    expect((await partial.arrayBuffer()).byteLength).toBe(100);
  });
});
