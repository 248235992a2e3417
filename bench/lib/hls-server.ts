import { performance } from 'node:perf_hooks';
import { ZenLiveApp } from '../../src/app/index.js';
import { silentLogger } from '../../src/base/index.js';
import { parseConfig, type ZenLiveConfigInput } from '../../src/config/index.js';
import type { Stream } from '../../src/hub/index.js';
import type { HlsService } from '../../src/protocols/hls/index.js';

/** One part as the server cut it: when, and when the last frame it holds had entered the hub (performance.now() ms). */
export interface PartCut {
  msn: number;
  part: number;
  cutAt: number;
  lastFrameAt: number;
  lastFrameKind: 'audio' | 'video';
}

/** One segment's PROGRAM-DATE-TIME against the wall-clock arrival of its first (key)frame. */
export interface SegmentStamp {
  msn: number;
  /** What EXT-X-PROGRAM-DATE-TIME says (ms since epoch). */
  programDateTime: number;
  /** When the keyframe that opens the segment entered the hub (ms since epoch). */
  firstFrameWall: number;
}

/**
 * Watches one stream inside the server: every frame entering the hub and every part the HLS
 * source rendition gains. It relies on listener order: HLS subscribes to a stream's frames before
 * we do, and a part is cut inside HLS's listener for the first frame of the next part, so when the
 * rendition reports the part our `last` frame is still the part's own last frame.
 */
export class HubTap {
  readonly cuts = new Map<string, PartCut>();
  readonly segments: SegmentStamp[] = [];
  /** Time between consecutive frames entering the hub, with when the later one came (performance.now() ms). */
  readonly arrivalGaps: Array<{ at: number; gapMs: number }> = [];
  private last: { at: number; kind: 'audio' | 'video' } | undefined;
  private keyframes: number[] = [];

  constructor(
    private readonly app: ZenLiveApp,
    private readonly hls: HlsService,
    private readonly streamId: string,
  ) {
    app.registry.on('streamCreated', (s) => {
      if (s.id === streamId) this.attach(s);
    });
  }

  private attach(stream: Stream): void {
    stream.addFrameListener((f) => {
      if (f.kind === 'metadata' || f.config) return;
      const now = performance.now();
      if (this.last !== undefined) this.arrivalGaps.push({ at: now, gapMs: now - this.last.at });
      if (this.arrivalGaps.length > 100_000) this.arrivalGaps.splice(0, 50_000);
      this.last = { at: now, kind: f.kind };
      if (f.kind === 'video' && f.keyframe) {
        this.keyframes.push(Date.now());
        if (this.keyframes.length > 64) this.keyframes.shift();
      }
    });
    const hlsStream = this.hls.get(this.streamId);
    if (hlsStream === undefined) throw new Error(`HLS has no state for ${this.streamId}: did it subscribe after us?`);
    const rendition = hlsStream.source;
    rendition.on('changed', () => {
      // The newest segment, open or just completed by its last part.
      const open = rendition.segments[rendition.segments.length - 1];
      const last = this.last;
      if (open === undefined || open.parts.length === 0 || last === undefined) return;
      const key = `${open.msn}.${open.parts.length - 1}`;
      if (this.cuts.has(key)) return;
      this.cuts.set(key, { msn: open.msn, part: open.parts.length - 1, cutAt: performance.now(), lastFrameAt: last.at, lastFrameKind: last.kind });
      if (open.parts.length === 1) {
        const kf = [...this.keyframes].reverse().find((t) => t <= open.startedAt);
        if (kf !== undefined) this.segments.push({ msn: open.msn, programDateTime: open.startedAt, firstFrameWall: kf });
      }
    });
  }
}

/** ZenLive in this process on 127.0.0.1 ports chosen by the OS, with HLS on and the internals a benchmark reads. */
export interface BenchServer {
  app: ZenLiveApp;
  tap: HubTap;
  httpUrl(path: string): string;
  rtmpUrl(key: string): string;
  stop(): Promise<void>;
}

/** Starts ZenLive with `hls` config overlaid, tapping stream `streamId`. */
export async function startBenchServer(hls: Record<string, unknown>, streamId: string): Promise<BenchServer> {
  const config: ZenLiveConfigInput = {
    server: { host: '127.0.0.1', http_port: 0, shutdown_timeout_seconds: 3 },
    streaming: { rtmp: { port: 0 }, enable_hls: true, hls },
    chat: { enabled: false },
  } as ZenLiveConfigInput;
  const app = new ZenLiveApp(parseConfig(config), {}, silentLogger());
  await app.start();
  // The HLS service is not part of the public SDK; the composition root keeps it in a private field.
  const hlsService = (app as unknown as { hls?: HlsService }).hls;
  if (hlsService === undefined) {
    await app.stop();
    throw new Error('ZenLiveApp has no `hls` field any more: update bench/lib/hls-server.ts');
  }
  const tap = new HubTap(app, hlsService, streamId);
  return {
    app,
    tap,
    httpUrl: (path) => `http://127.0.0.1:${app.httpPort}${path}`,
    rtmpUrl: (key) => `rtmp://127.0.0.1:${app.rtmpPort}/live/${key}`,
    stop: () => app.stop(),
  };
}
