import type { Logger } from '../../base/index.js';
import { writeMasterPlaylist, type Variant } from './master-playlist.js';
import { writeMediaPlaylist } from './playlist-writer.js';
import type { Rendition } from './rendition.js';

/** Where offloaded HLS files go: paths like `demo/source/index.m3u8` (the storage area's HlsOffload fits). */
export interface HlsFileSink {
  publish(path: string, data: Buffer): Promise<void>;
  remove(path: string): Promise<void>;
}

/** What the writer needs to know about the stream it copies. */
export interface OffloadedStream {
  readonly id: string;
  readonly generation: string;
  readonly renditions: ReadonlyMap<string, Rendition>;
  /** Configured bitrate of a transcoded rendition (bits/s), for the master playlist. */
  nominalBitrate(name: string): number;
}

interface RenditionProgress {
  /** Highest segment sequence number uploaded. */
  lastMsn: number;
  maps: Set<number>;
  uploaded: Map<number, string>;
  ended: boolean;
}

/**
 * Copies a stream's HLS to storage as it is made: every complete segment and init segment, then
 * a playlist listing only what is uploaded (whole segments, no LL-HLS parts: a bucket cannot answer
 * blocking reloads), then the master playlist. Segments leaving the window are removed. Uploads
 * of a stream run in order, so a playlist never names a file the bucket does not have yet.
 */
export class HlsOffloadWriter {
  private readonly progress = new Map<Rendition, RenditionProgress>();
  private masterCodecs = '';

  constructor(
    private readonly stream: OffloadedStream,
    private readonly sink: HlsFileSink,
    private readonly options: { targetDurationMs: number; playlistType: 'live' | 'event' },
    private readonly log: Logger,
  ) {}

  watch(rendition: Rendition): void {
    if (this.progress.has(rendition)) return;
    this.progress.set(rendition, { lastMsn: -1, maps: new Set(), uploaded: new Map(), ended: false });
    rendition.on('changed', () => this.sync(rendition));
  }

  private sync(r: Rendition): void {
    const p = this.progress.get(r);
    const muxer = r.muxer;
    if (p === undefined || muxer === undefined) return;
    const base = `${this.stream.id}/${r.name}/${this.stream.generation}-`;
    let changed = false;
    for (const seg of r.segments) {
      if (!seg.complete || seg.msn <= p.lastMsn || seg.bytes === undefined) continue;
      const init = r.maps.get(seg.mapVersion);
      if (init !== undefined && !p.maps.has(seg.mapVersion)) {
        p.maps.add(seg.mapVersion);
        void this.sink.publish(`${base}init-${seg.mapVersion}.mp4`, init);
      }
      const path = `${base}${seg.msn}.${muxer.extension}`;
      void this.sink.publish(path, seg.bytes);
      p.uploaded.set(seg.msn, path);
      p.lastMsn = seg.msn;
      changed = true;
    }
    for (const [msn, path] of p.uploaded) {
      if (msn >= r.firstMsn) break;
      p.uploaded.delete(msn);
      void this.sink.remove(path);
    }
    if (r.ended !== p.ended) {
      p.ended = r.ended;
      changed = changed || p.lastMsn >= 0;
    }
    if (!changed) return;
    const playlist = writeMediaPlaylist(r, {
      targetDurationMs: this.options.targetDurationMs,
      partTargetMs: 0,
      playlistType: this.options.playlistType,
      uriPrefix: `${this.stream.generation}-`,
      extension: muxer.extension,
      renditionReports: [],
      skip: false,
      completeOnly: true,
    });
    void this.sink.publish(`${this.stream.id}/${r.name}/index.m3u8`, Buffer.from(playlist));
    this.publishMaster();
  }

  /** The master playlist, rewritten when the set of renditions with segments (or their codecs) changes. */
  private publishMaster(): void {
    const variants: Variant[] = [];
    for (const [name, r] of this.stream.renditions) {
      const p = this.progress.get(r);
      if (p === undefined || p.lastMsn < 0 || r.muxer === undefined) continue;
      const bw = r.bandwidth;
      const nominal = this.stream.nominalBitrate(name);
      variants.push({ uri: `${name}/index.m3u8`, bandwidth: Math.max(bw.peak, nominal, 1), averageBandwidth: bw.average > 0 ? bw.average : nominal, codecs: r.muxer.codecs });
    }
    const key = variants.map((v) => `${v.uri}|${v.codecs}`).join(',');
    if (key === this.masterCodecs) return;
    this.masterCodecs = key;
    this.log.debug({ stream_id: this.stream.id, renditions: variants.length }, 'hls offload master playlist');
    void this.sink.publish(`${this.stream.id}/index.m3u8`, Buffer.from(writeMasterPlaylist(variants)));
  }
}
