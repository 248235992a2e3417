import type { HlsSegment, Rendition } from './rendition.js';

/** What a media playlist needs beyond the rendition itself. */
export interface MediaPlaylistOptions {
  targetDurationMs: number;
  /** 0 turns off LL-HLS tags. */
  partTargetMs: number;
  /** EVENT playlists keep every segment and say so; live sliding windows say nothing. */
  playlistType: 'live' | 'event';
  /** File name prefix unique to this rendition's lifetime, so URLs are never reused. */
  uriPrefix: string;
  extension: string;
  /** Other renditions of the same stream, for EXT-X-RENDITION-REPORT. */
  renditionReports: ReadonlyArray<{ uri: string; lastMsn: number; lastPart: number }>;
  /** Delta update requested with `_HLS_skip=YES` (RFC 8216bis §6.2.5.1). */
  skip: boolean;
  /** List complete segments only (copies in storage, where the open segment has no file yet). */
  completeOnly?: boolean;
}

const seconds = (ms: number, digits = 3): string => (ms / 1000).toFixed(digits);

/** Segments older than this (from the end of the playlist) may be skipped in delta updates; at least 6 target durations (§4.4.3.8). */
export function canSkipUntilMs(targetDurationMs: number): number {
  return 6 * targetDurationMs;
}

/** EXT-X-TARGETDURATION: the configured target, raised to cover the longest segment (EXTINF rounded, §4.4.3.1). */
export function targetDurationSeconds(rendition: Rendition, targetDurationMs: number): number {
  let longest = targetDurationMs;
  for (const s of rendition.segments) if (s.complete && s.durationMs > longest) longest = s.durationMs;
  return Math.max(1, Math.round(longest / 1000 + 0.0001), Math.ceil(targetDurationMs / 1000));
}

/** Renders a media playlist (RFC 8216bis), with the LL-HLS tags when parts are on. */
export function writeMediaPlaylist(rendition: Rendition, o: MediaPlaylistOptions): string {
  const lowLatency = o.partTargetMs > 0;
  const target = targetDurationSeconds(rendition, o.targetDurationMs);
  const segments = rendition.segments.filter((s) => s.complete || (o.completeOnly !== true && s.parts.length > 0));
  const lines: string[] = ['#EXTM3U', `#EXT-X-VERSION:${lowLatency ? 9 : 7}`, `#EXT-X-TARGETDURATION:${target}`];
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${segments[0]?.msn ?? rendition.firstMsn}`);
  if (rendition.discontinuitySequence > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${rendition.discontinuitySequence}`);
  if (o.playlistType === 'event') lines.push('#EXT-X-PLAYLIST-TYPE:EVENT');
  if (lowLatency) {
    const holdBack = (3 * o.partTargetMs) / 1000;
    const skipUntil = canSkipUntilMs(target * 1000);
    lines.push(`#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${holdBack.toFixed(3)},CAN-SKIP-UNTIL=${seconds(skipUntil, 1)}`);
    lines.push(`#EXT-X-PART-INF:PART-TARGET=${seconds(o.partTargetMs)}`);
  }

  let skipped = 0;
  if (o.skip && lowLatency) {
    // Skip whole segments that end more than CAN-SKIP-UNTIL before the end of the playlist.
    const horizon = canSkipUntilMs(target * 1000);
    let fromEnd = 0;
    for (let i = segments.length - 1; i >= 0; i--) {
      if (fromEnd > horizon) {
        skipped = i + 1;
        break;
      }
      fromEnd += (segments[i] as HlsSegment).durationMs;
    }
  }

  const partsFrom = Math.max(0, segments.length - 4);
  let lastMap = -1;
  // The first listed segment always names its map, so a delta update stands on its own.
  if (skipped > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);
  for (let i = skipped; i < segments.length; i++) {
    const s = segments[i] as HlsSegment;
    if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (s.mapVersion !== lastMap && rendition.maps.has(s.mapVersion)) {
      lines.push(`#EXT-X-MAP:URI="${o.uriPrefix}init-${s.mapVersion}.mp4"`);
      lastMap = s.mapVersion;
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.startedAt).toISOString()}`);
    if (lowLatency && i >= partsFrom) {
      for (const p of s.parts) {
        lines.push(`#EXT-X-PART:DURATION=${seconds(p.durationMs, 5)},URI="${o.uriPrefix}${s.msn}.${p.index}.${o.extension}"${p.independent ? ',INDEPENDENT=YES' : ''}`);
      }
    }
    if (s.complete) lines.push(`#EXTINF:${seconds(s.durationMs, 5)},`, `${o.uriPrefix}${s.msn}.${o.extension}`);
  }

  if (rendition.ended) {
    lines.push('#EXT-X-ENDLIST');
  } else if (lowLatency) {
    const open = rendition.open;
    const nextMsn = open !== undefined ? open.msn : rendition.lastMsn + 1;
    const nextPart = open !== undefined ? open.parts.length : 0;
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${o.uriPrefix}${nextMsn}.${nextPart}.${o.extension}"`);
    for (const r of o.renditionReports) lines.push(`#EXT-X-RENDITION-REPORT:URI="${r.uri}",LAST-MSN=${r.lastMsn},LAST-PART=${r.lastPart}`);
  }
  return lines.join('\n') + '\n';
}
