import { readFile } from 'node:fs/promises';
import { PreparedResponse, type HttpExchange } from '../../base/index.js';
import { HlsRequestError } from './errors.js';
import type { HlsStream } from './hls-stream.js';
import { writeMasterPlaylist } from './master-playlist.js';
import type { HlsOptions } from './options.js';
import { writeMediaPlaylist } from './playlist-writer.js';
import type { Rendition } from './rendition.js';
import type { HlsSessions } from './sessions.js';
import { withPlaybackToken } from './token-uris.js';

const MEDIA_FILE = /^([a-z0-9]+)-(?:init-(\d{1,9})\.mp4|(\d{1,15})(?:\.(\d{1,6}))?\.(m4s|ts))$/;
const ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_INT = Number.MAX_SAFE_INTEGER;
const EMPTY_PARAMS = new URLSearchParams();

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
// Playlists change every part: a CDN may hold one for a fraction of a part, no longer.
const PLAYLIST_CACHE = 'public, max-age=1';
// A blocking request's URL names one future playlist state: it can be cached as long as a segment lives.
const BLOCKING_PLAYLIST_CACHE = 'public, max-age=6';
// Segment and part URLs are never reused (a generation prefix and ever-growing sequence numbers).
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface PlaylistEntry {
  version: number;
  skip: boolean;
  body: string;
  prepared: Map<string, PreparedResponse>;
}

/** Looks HLS streams up by id; the service owns them. */
export interface HlsLookup {
  get(id: string): HlsStream | undefined;
}

function parseIndex(name: string, value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d{1,16}$/.test(value) || Number(value) > MAX_INT) throw new HlsRequestError('HLS_BAD_QUERY', 400, `${name} must be a non-negative integer`);
  return Number(value);
}

/**
 * Serves HLS on the raw node:http request, before any web framework sees it: playlists (with
 * LL-HLS blocking reload and delta updates), init segments, segments and parts, with ETag, HEAD,
 * Range and CORS. Returns false for paths that are not HLS, so the framework handles them.
 */
export class HlsRequestHandler {
  // Playlists are kept as strings (one write with the headers), and as prepared responses per
  // Cache-Control, so a plain GET of an unchanged playlist costs no header assembly.
  private readonly playlistCache = new WeakMap<Rendition, PlaylistEntry[]>();

  constructor(
    private readonly streams: HlsLookup,
    private readonly sessions: HlsSessions,
    private readonly options: HlsOptions,
  ) {}

  handle(ex: HttpExchange): boolean {
    const url = ex.url;
    if (!url.startsWith('/live/')) return false;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const parts = path.split('/');
    // ['', 'live', id, 'index.m3u8'] or ['', 'live', id, rendition, file]
    const isMaster = parts.length === 4 && parts[3] === 'index.m3u8';
    const isMedia = parts.length === 5;
    if (!isMaster && !isMedia) return false;
    // Most requests are answered synchronously; only those that must wait (blocking reload,
    // a hinted part) return a promise. No promise per request on the hot path.
    try {
      this.serve(ex, parts, isMaster, q < 0 ? '' : url.slice(q + 1))?.catch((err: unknown) => this.fail(ex, err));
    } catch (err) {
      this.fail(ex, err);
    }
    return true;
  }

  private serve(ex: HttpExchange, parts: string[], isMaster: boolean, query: string): Promise<void> | undefined {
    if (ex.method === 'OPTIONS') {
      ex.respond(204, ['access-control-allow-origin', this.options.corsOrigin, 'access-control-allow-methods', 'GET, HEAD, OPTIONS', 'access-control-allow-headers', 'range, if-none-match, authorization', 'access-control-max-age', '86400', 'content-length', '0'], undefined);
      return undefined;
    }
    if (ex.method !== 'GET' && ex.method !== 'HEAD') throw new HlsRequestError('METHOD_NOT_ALLOWED', 405, `${ex.method} is not allowed on HLS resources`);
    const raw = parts[2] as string;
    const id = raw.includes('%') ? decodeURIComponent(raw) : raw;
    const hls = ID.test(id) ? this.streams.get(id) : undefined;
    if (hls === undefined) throw new HlsRequestError('STREAM_NOT_FOUND', 404, `stream ${id.slice(0, 64)} has no HLS output`);
    const params = query === '' ? EMPTY_PARAMS : new URLSearchParams(query);
    const token = this.checkPlayback(ex, hls.id, params);
    if (isMaster) return this.master(ex, hls, params, token);
    const rendition = hls.renditions.get(parts[3] as string);
    if (rendition === undefined) throw new HlsRequestError('RENDITION_NOT_FOUND', 404, `stream ${id} has no rendition ${String(parts[3]).slice(0, 32)}`);
    const file = parts[4] as string;
    if (file === 'index.m3u8') return this.media(ex, hls, rendition, params, token);
    return this.mediaFile(ex, hls, rendition, file);
  }

  /**
   * Runs the playback authorizer; returns the token that let the request in (playlists then carry
   * it into every URI, since players do not forward a playlist's query to the URIs inside it).
   */
  private checkPlayback(ex: HttpExchange, streamId: string, params: URLSearchParams): string | undefined {
    const authorize = this.options.authorizePlay;
    if (authorize === undefined) return undefined;
    const bearer = ex.header('authorization');
    const token = params.get('token') ?? (bearer?.startsWith('Bearer ') === true ? bearer.slice(7).trim() : undefined);
    const decision = authorize({ streamId, protocol: 'hls', remoteAddress: ex.remoteAddress ?? '', token });
    if (!decision.allow) {
      const code = decision.status === 401 ? 'PLAYBACK_UNAUTHORIZED' : decision.status === 403 ? 'PLAYBACK_FORBIDDEN' : 'STREAM_NOT_FOUND';
      throw new HlsRequestError(code, decision.status, decision.reason);
    }
    return params.get('token') ?? undefined;
  }

  private master(ex: HttpExchange, hls: HlsStream, params: URLSearchParams, playbackToken: string | undefined): Promise<void> | undefined {
    const source = hls.source;
    if (source.muxer === undefined) {
      // Just published: wait for the tracks to be known rather than send a player away.
      if (hls.stream === undefined) throw new HlsRequestError('STREAM_NOT_READY', 404, `stream ${hls.id} has no media yet`);
      return this.waitFor(ex, source, () => source.muxer !== undefined).then((ok) => {
        if (!ok) throw new HlsRequestError('STREAM_NOT_READY', 404, `stream ${hls.id} has no media yet`);
        return this.master(ex, hls, params, playbackToken);
      });
    }
    if (this.options.ladder?.start === 'on-request') hls.startLadder();
    const token = params.get('s') ?? this.sessions.newToken();
    const hubRate = hls.stream?.bitrate() ?? 0;
    // Renditions whose tracks are known; a transcoder still starting joins the list on a later request.
    const variants = hls.status().filter((st) => st.codecs !== null).map((st) => {
      const bw = (hls.renditions.get(st.name) as Rendition).bandwidth;
      const nominal = st.configuredBitrate ?? hubRate;
      return {
        uri: `${st.name}/index.m3u8?s=${token}`,
        bandwidth: Math.max(bw.peak, nominal * 1.2, 1),
        averageBandwidth: bw.average > 0 ? bw.average : nominal,
        codecs: st.codecs as string,
        ...(st.width !== null && st.height !== null ? { width: st.width, height: st.height } : {}),
        ...(st.fps !== null ? { fps: st.fps } : {}),
      };
    });
    const master = writeMasterPlaylist(variants);
    this.send(ex, 200, PLAYLIST_TYPE, playbackToken === undefined ? master : withPlaybackToken(master, playbackToken), 'no-cache');
    return undefined;
  }

  private media(ex: HttpExchange, hls: HlsStream, r: Rendition, params: URLSearchParams, token: string | undefined): Promise<void> | undefined {
    const msn = parseIndex('_HLS_msn', params.get('_HLS_msn'));
    const part = parseIndex('_HLS_part', params.get('_HLS_part'));
    const skipParam = params.get('_HLS_skip');
    if (part !== undefined && msn === undefined) throw new HlsRequestError('HLS_BAD_QUERY', 400, '_HLS_part requires _HLS_msn');
    if (skipParam !== null && skipParam !== 'YES' && skipParam !== 'v2') throw new HlsRequestError('HLS_BAD_QUERY', 400, '_HLS_skip must be YES or v2');
    if (hls.stream !== undefined) this.sessions.touch(params.get('s') ?? `${ex.remoteAddress ?? ''}|${ex.header('user-agent') ?? ''}`, hls.stream, ex.remoteAddress);
    const skip = skipParam !== null;
    // A playlist without one complete segment makes players give up and retry: hold it until there is one.
    const hasSegment = (): boolean => r.muxer !== undefined && r.segments.some((s) => s.complete);
    if (msn === undefined || this.options.partTargetMs === 0) {
      if (hasSegment()) {
        this.sendPlaylist(ex, hls, r, skip, token, PLAYLIST_CACHE);
        return undefined;
      }
      return this.waitFor(ex, r, hasSegment).then((ok) => {
        if (!ok) throw new HlsRequestError('STREAM_NOT_READY', 404, `stream ${hls.id} has no segments yet`);
        this.sendPlaylist(ex, hls, r, skip, token, PLAYLIST_CACHE);
      });
    }
    // RFC 8216bis §6.2.5.2: a request too far in the future is refused at once.
    if (msn > r.lastMsn + 2) throw new HlsRequestError('HLS_MSN_TOO_FAR', 400, `_HLS_msn ${msn} is more than two segments past the last one (${r.lastMsn})`);
    const reached = (): boolean => r.ended || (this.reached(r, msn, part) && hasSegment());
    return this.waitFor(ex, r, reached).then((ok) => {
      if (!ok) throw new HlsRequestError('HLS_BLOCKING_TIMEOUT', 503, `segment ${msn}${part !== undefined ? ` part ${part}` : ''} did not appear in time`);
      this.sendPlaylist(ex, hls, r, skip, token, BLOCKING_PLAYLIST_CACHE);
    });
  }

  /** Whether the rendition holds segment `msn` (complete) or its part `part`. */
  private reached(r: Rendition, msn: number, part: number | undefined): boolean {
    const open = r.open;
    const lastComplete = open !== undefined ? open.msn - 1 : r.lastMsn;
    if (msn <= lastComplete) return true;
    if (part === undefined || open === undefined || open.msn !== msn) return false;
    return open.parts.length > part;
  }

  private sendPlaylist(ex: HttpExchange, hls: HlsStream, r: Rendition, skip: boolean, token: string | undefined, cache: string): void {
    const entry = this.cachedPlaylist(hls, r, skip);
    if (token !== undefined || ex.method !== 'GET') {
      this.send(ex, 200, PLAYLIST_TYPE, token === undefined ? entry.body : withPlaybackToken(entry.body, token), cache);
      return;
    }
    let prepared = entry.prepared.get(cache);
    if (prepared === undefined) {
      prepared = new PreparedResponse(200, this.headers(PLAYLIST_TYPE, entry.body.length, cache), entry.body);
      entry.prepared.set(cache, prepared);
    }
    ex.respondPrepared(prepared);
  }

  private cachedPlaylist(hls: HlsStream, r: Rendition, skip: boolean): PlaylistEntry {
    let entries = this.playlistCache.get(r);
    const hit = entries?.find((e) => e.version === r.version && e.skip === skip);
    if (hit !== undefined) return hit;
    const reports = [...hls.renditions.values()]
      .filter((o) => o !== r)
      .map((o) => ({ uri: `../${o.name}/index.m3u8`, lastMsn: o.open?.msn ?? o.lastMsn, lastPart: Math.max(0, (o.open?.parts.length ?? 1) - 1) }));
    const body = writeMediaPlaylist(r, {
        targetDurationMs: this.options.targetDurationMs,
        partTargetMs: this.options.partTargetMs,
        playlistType: this.options.playlistType,
        uriPrefix: `${hls.generation}-`,
        extension: r.muxer?.extension ?? 'm4s',
        renditionReports: reports,
        skip,
      });
    const entry: PlaylistEntry = { version: r.version, skip, body, prepared: new Map() };
    entries = (entries ?? []).filter((e) => e.version === r.version);
    entries.push(entry);
    this.playlistCache.set(r, entries);
    return entry;
  }

  private mediaFile(ex: HttpExchange, hls: HlsStream, r: Rendition, file: string): Promise<void> | undefined {
    const m = MEDIA_FILE.exec(file);
    if (m === null || m[1] !== hls.generation) throw new HlsRequestError('SEGMENT_NOT_FOUND', 404, `no such HLS file ${file.slice(0, 64)}`);
    if (m[2] !== undefined) {
      const init = r.maps.get(Number(m[2]));
      if (init === undefined) throw new HlsRequestError('SEGMENT_NOT_FOUND', 404, `no init segment ${m[2]}`);
      this.sendMedia(ex, 'video/mp4', init, `"${hls.generation}-i${m[2]}"`);
      return undefined;
    }
    const msn = Number(m[3]);
    const partIndex = m[4] !== undefined ? Number(m[4]) : undefined;
    const type = m[5] === 'ts' ? 'video/mp2t' : 'video/mp4';
    const etag = `"${hls.generation}-${msn}${partIndex !== undefined ? `.${partIndex}` : ''}"`;
    if (partIndex === undefined) {
      const seg = r.segment(msn);
      if (seg === undefined || !seg.complete) throw new HlsRequestError('SEGMENT_NOT_FOUND', 404, `segment ${msn} is not available`);
      if (seg.bytes !== undefined) {
        this.sendMedia(ex, type, seg.bytes, etag);
        return undefined;
      }
      const file = seg.file;
      if (file === undefined) throw new HlsRequestError('SEGMENT_NOT_FOUND', 404, `segment ${msn} is not available`);
      return readFile(file).then(
        (bytes) => this.sendMedia(ex, type, bytes, etag),
        () => {
          throw new HlsRequestError('SEGMENT_NOT_FOUND', 404, `segment ${msn} is not available`);
        },
      );
    }
    const bytes = r.segment(msn)?.parts[partIndex]?.bytes;
    if (bytes !== undefined) {
      this.sendMedia(ex, type, bytes, etag);
      return undefined;
    }
    if (!this.isHinted(r, msn, partIndex)) throw new HlsRequestError('SEGMENT_NOT_FOUND', 404, `part ${msn}.${partIndex} is not available`);
    // The preload hint's part: hold the request until it exists (RFC 8216bis §6.2.5.3), or until
    // its segment completes without it, when it never will.
    return this.waitFor(ex, r, () => r.segment(msn)?.parts[partIndex] !== undefined || r.segment(msn)?.complete === true || r.ended).then(() => {
      const later = r.segment(msn)?.parts[partIndex]?.bytes;
      if (later === undefined) throw new HlsRequestError('SEGMENT_NOT_FOUND', 404, `part ${msn}.${partIndex} is not available`);
      this.sendMedia(ex, type, later, etag);
    });
  }

  private isHinted(r: Rendition, msn: number, part: number): boolean {
    const open = r.open;
    if (open !== undefined) return msn === open.msn && part === open.parts.length;
    return msn === r.lastMsn + 1 && part === 0;
  }

  private sendMedia(ex: HttpExchange, type: string, body: Buffer, etag: string): void {
    if (ex.header('if-none-match') === etag) {
      ex.respond(304, ['etag', etag, 'cache-control', IMMUTABLE, 'access-control-allow-origin', this.options.corsOrigin], undefined);
      return;
    }
    const range = ex.header('range');
    if (range === undefined) {
      this.send(ex, 200, type, body, IMMUTABLE, etag);
      return;
    }
    const m = /^bytes=(\d*)-(\d*)$/.exec(range);
    let start = m?.[1] ? Number(m[1]) : undefined;
    let end = m?.[2] ? Number(m[2]) : undefined;
    if (m !== null && start === undefined && end !== undefined) {
      start = Math.max(0, body.length - end);
      end = body.length - 1;
    }
    start ??= 0;
    end = Math.min(end ?? body.length - 1, body.length - 1);
    if (m === null || start > end || start >= body.length) {
      ex.respond(416, ['content-range', `bytes */${body.length}`, 'content-length', '0', 'access-control-allow-origin', this.options.corsOrigin], undefined);
      return;
    }
    this.send(ex, 206, type, body.subarray(start, end + 1), IMMUTABLE, etag, `bytes ${start}-${end}/${body.length}`);
  }

  /** Writes a whole response; headers as a flat array, which node:http takes without copying them into an object. */
  private send(ex: HttpExchange, status: number, type: string, body: Buffer | string, cache: string, etag?: string, contentRange?: string): void {
    const headers = this.headers(type, body.length, cache);
    if (etag !== undefined) headers.push('etag', etag, 'accept-ranges', 'bytes');
    if (contentRange !== undefined) headers.push('content-range', contentRange);
    ex.respond(status, headers, ex.method === 'HEAD' ? undefined : body);
  }

  // Playlist text is ASCII (stream ids and file names are), so its length is its byte length.
  private headers(type: string, length: number, cache: string): string[] {
    return ['content-type', type, 'content-length', String(length), 'cache-control', cache, 'access-control-allow-origin', this.options.corsOrigin];
  }

  /** Waits (up to the blocking timeout) for `ready()` to hold; false on timeout or when the client goes away. */
  private waitFor(ex: HttpExchange, r: Rendition, ready: () => boolean): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        r.off('changed', check);
        cancelGone();
        resolve(ok);
      };
      const check = (): void => {
        if (ready()) done(true);
      };
      const timer = setTimeout(() => done(false), this.options.blockingTimeoutMs);
      r.on('changed', check);
      const cancelGone = ex.onGone(() => done(false));
    });
  }

  private fail(ex: HttpExchange, err: unknown): void {
    if (ex.answered) {
      ex.abort();
      return;
    }
    const e = err instanceof HlsRequestError ? err : new HlsRequestError('INTERNAL', 500, 'internal server error');
    const body = Buffer.from(JSON.stringify({ error: { code: e.code, message: e.message, details: {} } }));
    ex.respond(e.status, ['content-type', 'application/json; charset=utf-8', 'content-length', String(body.length), 'cache-control', 'no-store', 'access-control-allow-origin', this.options.corsOrigin], ex.method === 'HEAD' ? undefined : body);
  }
}
