import type { MediaStreamTrack, RTCPeerConnection, RtpPacket } from 'werift';
import { ParseError, type Logger } from '../../base/index.js';
import type { Stream } from '../../hub/index.js';
import { buildOpusHead, H264Depacketizer, RtpReorderBuffer, Vp8Depacketizer, Vp9Depacketizer, type H264AccessUnit } from '../../media/index.js';
import { H264Ingest } from './h264-ingest.js';
import { PeerResource, type PeerResourceSettings, type ResourceEndReason } from './peer-resource.js';
import type { OpusPacket, OpusSource } from './opus-source.js';
import { OpusToAac } from './opus-to-aac.js';
import { RtpTrackClock } from './rtp-clock.js';
import { VpxToH264, type VpxFrame } from './vpx-to-h264.js';
import { ReceiveStats, type ReceiveStatsSnapshot } from './sfu/index.js';

/** Keyframe requests to a publisher at most this often: each one costs a large frame. */
const KEYFRAME_REQUEST_INTERVAL_MS = 1000;
/** How long a video packet waits for a missing earlier one (reordered, or resent after a NACK). */
const REORDER_WAIT_MS = 150;

/**
 * A WHIP publisher (RFC 9725): H.264 and Opus RTP from the browser or encoder become frames of
 * one hub Stream. Ending the resource ends the stream; the stream ending (e.g. an admin stop)
 * ends the resource.
 */
export class WhipSession extends PeerResource implements OpusSource {
  private readonly startMs = performance.now();
  private videoTrack: MediaStreamTrack | undefined;
  private lastKeyframeRequest = 0;
  private readonly ingest = new H264Ingest({ needKeyframe: () => this.requestKeyframe() });
  private audioConfigured = false;
  /** Set when the hub gets AAC for HLS/RTMP/FLV: WHEP viewers then take the original Opus from here. */
  private readonly toAac: OpusToAac | undefined;
  private readonly opusListeners = new Set<(packet: OpusPacket) => void>();
  private keyframeTimer: NodeJS.Timeout | undefined;
  private readonly received: { video?: ReceiveStats; audio?: ReceiveStats } = {};
  /** Set for a VP8 or VP9 publisher: its video reaches the hub as H.264 through ffmpeg. */
  private readonly toH264: VpxToH264 | undefined;

  constructor(
    pc: RTCPeerConnection,
    readonly stream: Stream,
    log: Logger,
    settings: PeerResourceSettings,
    /** ffmpeg to transcode Opus → AAC for the hub; undefined puts Opus into the hub as it came. */
    aacFfmpegPath?: string,
    /**
     * Ask for a keyframe this often. WebRTC encoders send keyframes only when asked, but HLS cuts
     * segments and recordings start on keyframes, so without this a segment would never end.
     */
    private readonly keyframeIntervalMs = 2000,
    /** The negotiated video codec; VP8 and VP9 are transcoded to H.264 by `ffmpegPath`. */
    private readonly videoCodec: 'h264' | 'vp8' | 'vp9' = 'h264',
    ffmpegPath = 'ffmpeg',
  ) {
    super(pc, log, settings);
    if (videoCodec !== 'h264') this.toH264 = new VpxToH264(videoCodec, ffmpegPath, (f) => this.stream.push(f), log);
    if (aacFfmpegPath !== undefined) this.toAac = new OpusToAac(aacFfmpegPath, (f) => this.stream.push(f), log);
    pc.onTrack.subscribe((track) => this.attach(track));
    stream.on('state', (_from, to) => {
      if (to === 'ENDED' || to === 'FAILED') this.end('stream-ended');
    });
  }

  /** Whether the hub carries this publisher's audio as AAC (viewers of Opus subscribe here). */
  get transcodesAudio(): boolean {
    return this.toAac !== undefined;
  }

  subscribe(listener: (packet: OpusPacket) => void): () => void {
    this.opusListeners.add(listener);
    return () => this.opusListeners.delete(listener);
  }

  /** Asks the publisher for a keyframe (RTCP PLI), e.g. for a viewer who just joined; rate-limited. */
  requestKeyframe(): void {
    const track = this.videoTrack;
    const now = performance.now();
    if (track?.ssrc === undefined || now - this.lastKeyframeRequest < KEYFRAME_REQUEST_INTERVAL_MS) return;
    this.lastKeyframeRequest = now;
    const receiver = this.pc.getReceivers().find((r) => r.tracks.includes(track));
    void receiver?.sendRtcpPLI(track.ssrc).catch(() => undefined);
  }

  protected connected(): void {
    this.log.info({ stream_id: this.stream.id, resource: this.id }, 'whip publisher connected');
    // the offer had audio: its AAC track exists from the start, even if the first Opus packet comes after the first keyframe
    this.toAac?.announce(this.stream.timeline.current);
    this.requestKeyframe();
    if (this.keyframeTimer === undefined && this.keyframeIntervalMs > 0) {
      this.keyframeTimer = setInterval(() => this.requestKeyframe(), this.keyframeIntervalMs);
      this.keyframeTimer.unref();
    }
  }

  protected detach(reason: ResourceEndReason): void {
    clearInterval(this.keyframeTimer);
    this.toH264?.close();
    this.toAac?.close();
    this.opusListeners.clear();
    this.stream.end(reason === 'server-stopping' ? 'server-stopping' : 'publisher-left');
  }

  /** Per-track receive figures (loss, jitter, bitrate) for the sessions API. */
  stats(): { video: ReceiveStatsSnapshot | null; audio: ReceiveStatsSnapshot | null } {
    const now = performance.now();
    return { video: this.received.video?.snapshot(now) ?? null, audio: this.received.audio?.snapshot(now) ?? null };
  }

  private attach(track: MediaStreamTrack): void {
    const stats = new ReceiveStats(track.kind === 'video' ? 90_000 : 48_000);
    if (track.kind === 'video' || track.kind === 'audio') this.received[track.kind] = stats;
    track.onReceiveRtp.subscribe((rtp) => stats.onPacket(rtp.header.sequenceNumber, rtp.header.timestamp, rtp.payload.length, performance.now()));
    if (track.kind === 'video' && this.videoCodec !== 'h264') {
      this.videoTrack = track;
      const depacketizer = this.videoCodec === 'vp8' ? new Vp8Depacketizer() : new Vp9Depacketizer();
      const clock = new RtpTrackClock(90_000, this.startMs);
      const reorder = new RtpReorderBuffer<{ sequenceNumber: number; rtp: RtpPacket }>(REORDER_WAIT_MS);
      track.onReceiveRtp.subscribe((rtp) => {
        for (const ready of reorder.push({ sequenceNumber: rtp.header.sequenceNumber, rtp }, performance.now())) this.onVpx(ready.rtp, depacketizer, clock);
      });
    } else if (track.kind === 'video') {
      this.videoTrack = track;
      const depacketizer = new H264Depacketizer();
      const clock = new RtpTrackClock(90_000, this.startMs);
      const reorder = new RtpReorderBuffer<{ sequenceNumber: number; rtp: RtpPacket }>(REORDER_WAIT_MS);
      track.onReceiveRtp.subscribe((rtp) => {
        for (const ready of reorder.push({ sequenceNumber: rtp.header.sequenceNumber, rtp }, performance.now())) this.onVideo(ready.rtp, depacketizer, clock);
      });
    } else if (track.kind === 'audio') {
      const clock = new RtpTrackClock(48_000, this.startMs);
      track.onReceiveRtp.subscribe((rtp) => this.onAudio(rtp, clock));
    }
  }

  private onVideo(rtp: RtpPacket, depacketizer: H264Depacketizer, clock: RtpTrackClock): void {
    if (this.closed) return;
    let units: H264AccessUnit[];
    try {
      units = depacketizer.push({ sequenceNumber: rtp.header.sequenceNumber, timestamp: rtp.header.timestamp, marker: rtp.header.marker, payload: rtp.payload });
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      // one bad packet spoils its access unit, not the session
      this.log.warn({ stream_id: this.stream.id, err: err.message }, 'dropping a malformed H.264 RTP packet');
      depacketizer.reset();
      this.requestKeyframe();
      return;
    }
    for (const unit of units) {
      const ms = this.stream.timeline.map(clock.toMs(unit.timestamp, performance.now()));
      for (const frame of this.ingest.frames(unit, ms)) this.stream.push(frame);
    }
  }

  private onVpx(rtp: RtpPacket, depacketizer: Vp8Depacketizer | Vp9Depacketizer, clock: RtpTrackClock): void {
    if (this.closed) return;
    let frames: (VpxFrame & { timestamp: number; complete: boolean })[];
    try {
      frames = depacketizer.push({ sequenceNumber: rtp.header.sequenceNumber, timestamp: rtp.header.timestamp, marker: rtp.header.marker, payload: rtp.payload });
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      this.log.warn({ stream_id: this.stream.id, err: err.message, codec: this.videoCodec }, 'dropping a malformed VP8/VP9 RTP packet');
      depacketizer.reset();
      this.requestKeyframe();
      return;
    }
    for (const frame of frames) {
      // a frame with a hole would decode as garbage until the next keyframe: ask for one instead
      if (!frame.complete) {
        this.requestKeyframe();
        continue;
      }
      this.toH264?.write(frame, this.stream.timeline.map(clock.toMs(frame.timestamp, performance.now())));
    }
  }

  private onAudio(rtp: RtpPacket, clock: RtpTrackClock): void {
    if (this.closed || rtp.payload.length === 0) return;
    const ms = this.stream.timeline.map(clock.toMs(rtp.header.timestamp, performance.now()));
    if (this.toAac !== undefined) {
      const data = Buffer.from(rtp.payload);
      this.toAac.write(data, ms);
      for (const l of this.opusListeners) l({ data, ms });
      return;
    }
    if (!this.audioConfigured) {
      this.audioConfigured = true;
      this.stream.push({ kind: 'audio', codec: 'opus', dts: ms, pts: ms, keyframe: false, config: true, data: buildOpusHead(2) });
    }
    this.stream.push({ kind: 'audio', codec: 'opus', dts: ms, pts: ms, keyframe: false, config: false, data: Buffer.from(rtp.payload) });
  }
}
