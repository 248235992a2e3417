import { readFile, stat } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from './helpers/clip.js';
import { spawnFfmpeg } from './helpers/ffmpeg.js';
import { parseMediaPlaylist } from './helpers/hls.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

/** HLS copied to storage as it is made: what lands there plays on its own, as a CDN would serve it. */
describe('HLS offload to storage', () => {
  let s: TestServer;
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'zenlive-offload-'));
    s = await startTestServer({ storage: { type: 'local', local: { path: root } }, streaming: { enable_hls: true, hls: { offload_to_storage: true, retain_after_end_seconds: 0 } } });
  });

  afterAll(async () => {
    await s?.stop();
  });

  it('uploads segments, init segments and playlists; the copy plays with ffmpeg and ends with ENDLIST', async () => {
    const clip = await makeClip({ seconds: 6, width: 320, height: 240 });
    const pub = spawnFfmpeg(['-v', 'error', '-re', '-i', clip, '-c', 'copy', '-f', 'flv', s.rtmpUrl('cdn')], 30);
    const media = join(root, 'hls', 'cdn', 'source', 'index.m3u8');
    await waitFor(async () => (await stat(media).catch(() => undefined)) !== undefined, 'an uploaded playlist', 15_000);
    // While live: every listed file is already in storage (the playlist goes up after what it lists).
    const live = parseMediaPlaylist(await readFile(media, 'utf8'));
    expect(live.parts).toEqual([]);
    expect(live.ended).toBe(false);
    for (const seg of live.segments) expect((await stat(join(root, 'hls', 'cdn', 'source', seg.uri))).size).toBeGreaterThan(0);
    expect(await pub.exited).toBe(0);
    await waitFor(async () => parseMediaPlaylist(await readFile(media, 'utf8')).ended, 'ENDLIST in storage', 15_000);
    const master = await readFile(join(root, 'hls', 'cdn', 'index.m3u8'), 'utf8');
    expect(master).toContain('source/index.m3u8');
    const total = parseMediaPlaylist(await readFile(media, 'utf8')).segments.reduce((sum, seg) => sum + seg.duration, 0);
    expect(Math.abs(total - 6)).toBeLessThan(0.6);
    const reader = spawnFfmpeg(['-v', 'error', '-i', join(root, 'hls', 'cdn', 'index.m3u8'), '-c', 'copy', '-f', 'null', '-'], 30);
    expect(await reader.exited).toBe(0);
    expect(reader.stderr().trim()).toBe('');
  });
});
