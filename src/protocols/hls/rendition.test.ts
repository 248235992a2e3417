import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMediaPlaylist, type MediaPlaylistOptions } from './playlist-writer.js';
import { Rendition } from './rendition.js';
import type { CutPart } from './segmenter.js';
import type { SegmentMuxer } from './segment-muxer.js';

const muxer: SegmentMuxer = { container: 'fmp4', extension: 'm4s', init: Buffer.from('init'), codecs: 'avc1.64001f', mux: () => Buffer.alloc(0) };

function part(segmentStart: boolean, ms = 250, size = 1000, discontinuity = false, segmentEnd = false): CutPart {
  return { bytes: Buffer.alloc(size, 7), startDts: 0, durationMs: ms, independent: segmentStart, segmentStart, segmentEnd, wallClockStart: Date.now(), discontinuity };
}

/** Adds `count` segments of 8 parts × 250 ms (2 s each). */
function addSegments(r: Rendition, count: number): void {
  for (let s = 0; s < count; s++) for (let p = 0; p < 8; p++) r.addPart(part(p === 0, 250, 1000, false, p === 7));
}

const OPTS: MediaPlaylistOptions = { targetDurationMs: 2000, partTargetMs: 300, playlistType: 'live', uriPrefix: 'g-', extension: 'm4s', renditionReports: [], skip: false };

describe('Rendition window', () => {
  it('keeps the live window, frees older segments and moves the media sequence', () => {
    const r = new Rendition('source', { windowMs: 6000, partSegments: 4, maxBytes: 1e9 });
    r.setMuxer(muxer);
    addSegments(r, 10);
    const listed = r.segments.filter((s) => s.complete).reduce((t, s) => t + s.durationMs, 0);
    expect(listed).toBeGreaterThanOrEqual(6000);
    expect(listed).toBeLessThanOrEqual(8000);
    expect(r.firstMsn).toBeGreaterThan(0);
    expect(r.segment(0)).toBeUndefined();
    // Only the last few segments keep their parts; the older ones keep whole-segment bytes.
    const withParts = r.segments.filter((s) => s.parts.some((p) => p.bytes !== undefined));
    expect(withParts.length).toBeLessThanOrEqual(4);
    for (const s of r.segments.filter((x) => x.complete)) expect(s.bytes?.length).toBe(8000);
  });

  it('never holds more than its byte cap, whatever the window says', () => {
    const r = new Rendition('source', { windowMs: 3600_000, partSegments: 2, maxBytes: 50_000 });
    r.setMuxer(muxer);
    addSegments(r, 40);
    let bytes = 0;
    for (const s of r.segments) bytes += (s.bytes?.length ?? 0) + s.parts.reduce((t, p) => t + (p.bytes?.length ?? 0), 0);
    expect(bytes).toBeLessThanOrEqual(50_000 + 16_000);
    expect(r.segments.length).toBeLessThan(10);
  });

  it('counts removed discontinuities in the discontinuity sequence', () => {
    const r = new Rendition('source', { windowMs: 4000, partSegments: 2, maxBytes: 1e9 });
    r.setMuxer(muxer);
    addSegments(r, 2);
    r.republished();
    r.setMuxer(muxer);
    addSegments(r, 6);
    const text = writeMediaPlaylist(r, OPTS);
    expect(text).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:1');
    expect(text).not.toContain('#EXT-X-DISCONTINUITY\n');
  });
});

describe('DVR history on disk', () => {
  it('moves segments past the live edge to disk, frees their memory, and deletes them when they leave the window', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'zenlive-dvr-')), 'r');
    const r = new Rendition('source', { windowMs: 12_000, partSegments: 3, maxBytes: 1e9, diskDir: dir });
    r.setMuxer(muxer);
    addSegments(r, 6);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const old = r.segments[0];
    expect(old?.bytes).toBeUndefined();
    expect(readFileSync(old?.file as string).length).toBe(8000);
    expect(r.segments[r.segments.length - 2]?.bytes?.length).toBe(8000);
    const firstFile = old?.file as string;
    addSegments(r, 6);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(firstFile)).toBe(false);
    expect(r.segments.every((s) => s.bytes !== undefined || s.file !== undefined || !s.complete)).toBe(true);
  });
});

describe('media playlist writer', () => {
  it('marks EVENT playlists', () => {
    const r = new Rendition('source', { windowMs: 60_000, partSegments: 4, maxBytes: 1e9 });
    r.setMuxer(muxer);
    addSegments(r, 1);
    expect(writeMediaPlaylist(r, { ...OPTS, playlistType: 'event' })).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(writeMediaPlaylist(r, OPTS)).not.toContain('PLAYLIST-TYPE');
  });

  it('marks a republish with a discontinuity and the new map', () => {
    const r = new Rendition('source', { windowMs: 60_000, partSegments: 4, maxBytes: 1e9 });
    r.setMuxer(muxer);
    addSegments(r, 2);
    r.republished();
    r.setMuxer(muxer);
    addSegments(r, 1);
    const text = writeMediaPlaylist(r, OPTS);
    expect(text.indexOf('#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="g-init-2.mp4"')).toBeGreaterThan(0);
  });

  it('writes a delta update that skips segments older than CAN-SKIP-UNTIL (_HLS_skip)', () => {
    const r = new Rendition('source', { windowMs: 40_000, partSegments: 4, maxBytes: 1e9 });
    r.setMuxer(muxer);
    addSegments(r, 15);
    const full = writeMediaPlaylist(r, OPTS);
    const delta = writeMediaPlaylist(r, { ...OPTS, skip: true });
    const skipped = Number(/#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)/.exec(delta)?.[1]);
    expect(skipped).toBeGreaterThan(0);
    const count = (t: string): number => t.split('\n').filter((l) => l.startsWith('#EXTINF')).length;
    expect(count(delta) + skipped).toBe(count(full));
    // What is left spans at least CAN-SKIP-UNTIL (12 s), and starts with its map.
    expect(count(delta) * 2).toBeGreaterThanOrEqual(12);
    expect(delta).toContain('#EXT-X-MAP:URI="g-init-1.mp4"');
  });

  it('ends with ENDLIST and no preload hint once ended; plain HLS has no LL-HLS tags', () => {
    const r = new Rendition('source', { windowMs: 60_000, partSegments: 4, maxBytes: 1e9 });
    r.setMuxer(muxer);
    addSegments(r, 2);
    // The last segment completed with its last part: the hint is the next segment's first part.
    expect(writeMediaPlaylist(r, OPTS)).toContain('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="g-2.0.m4s"');
    r.addPart(part(true));
    expect(writeMediaPlaylist(r, OPTS)).toContain('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="g-2.1.m4s"');
    r.end();
    const ended = writeMediaPlaylist(r, OPTS);
    expect(ended.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(ended).not.toContain('PRELOAD-HINT');
    const plain = writeMediaPlaylist(r, { ...OPTS, partTargetMs: 0 });
    expect(plain).not.toMatch(/EXT-X-PART|SERVER-CONTROL|PART-INF/);
    expect(plain).toContain('#EXT-X-VERSION:7');
  });

  it('raises TARGETDURATION to cover a longer GOP than the target', () => {
    const r = new Rendition('source', { windowMs: 60_000, partSegments: 4, maxBytes: 1e9 });
    r.setMuxer(muxer);
    for (let p = 0; p < 16; p++) r.addPart(part(p === 0, 250));
    r.addPart(part(true));
    expect(writeMediaPlaylist(r, OPTS)).toContain('#EXT-X-TARGETDURATION:4');
  });
});
