import { AvcNalType, buildAvcDecoderConfig, joinNalUnits, type H264AccessUnit, type MediaFrame } from '../../media/index.js';

/** What the ingest asks of its session: a keyframe from the sender after a loss or at start. */
export interface H264IngestEvents {
  needKeyframe(): void;
}

/**
 * Turns H.264 access units rebuilt from RTP into hub frames: length-prefixed NAL units, with a
 * decoder configuration frame (avcC) whenever the in-band SPS/PPS change. Frames before the first
 * keyframe, and after a loss until the next keyframe, are dropped: they would decode as garbage.
 */
export class H264Ingest {
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;
  private configSent: Buffer | undefined;
  private waitingForKeyframe = true;
  /** Access units dropped while waiting for a keyframe. */
  droppedUnits = 0;

  constructor(private readonly events: H264IngestEvents) {}

  /** Frames for one access unit at `ms` on the stream's timeline (config first when it changed). */
  frames(unit: H264AccessUnit, ms: number): MediaFrame[] {
    if (!unit.complete) {
      this.waitingForKeyframe = true;
      this.droppedUnits++;
      this.events.needKeyframe();
      return [];
    }
    const nals: Buffer[] = [];
    for (const nal of unit.nalUnits) {
      const type = (nal[0] as number) & 0x1f;
      if (type === AvcNalType.Sps) this.sps = Buffer.from(nal);
      else if (type === AvcNalType.Pps) this.pps = Buffer.from(nal);
      // access unit delimiters mean nothing in length-prefixed samples
      if (type !== AvcNalType.AccessUnitDelimiter) nals.push(nal);
    }
    if (this.waitingForKeyframe) {
      if (!unit.keyframe || this.sps === undefined || this.pps === undefined) {
        this.droppedUnits++;
        this.events.needKeyframe();
        return [];
      }
      this.waitingForKeyframe = false;
    }
    const out: MediaFrame[] = [];
    if (unit.keyframe && this.sps !== undefined && this.pps !== undefined) {
      const config = buildAvcDecoderConfig({ sps: [this.sps], pps: [this.pps] });
      if (this.configSent === undefined || !this.configSent.equals(config)) {
        this.configSent = config;
        out.push({ kind: 'video', codec: 'h264', dts: ms, pts: ms, keyframe: true, config: true, data: config });
      }
    }
    // WebRTC H.264 has no B-frames: decode order is presentation order
    out.push({ kind: 'video', codec: 'h264', dts: ms, pts: ms, keyframe: unit.keyframe, config: false, data: joinNalUnits(nals) });
    return out;
  }
}
