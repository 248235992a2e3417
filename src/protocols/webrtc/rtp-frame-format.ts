import type { FrameFormat, Stream } from '../../hub/index.js';
import { AvcNalType, packetizeH264, parseAvcDecoderConfig, splitNalUnits, type HubFrame, type MediaFrame } from '../../media/index.js';

/**
 * Bytes of one frame for WebRTC viewers: RTP payloads, each as a record
 * [flags u8][timestamp u32][length u16][payload]. Built once per frame and shared by every viewer
 * of the stream; each viewer adds its own RTP header (sequence number, SSRC) when sending.
 */
export const RecordFlag = { Marker: 1, Audio: 2 } as const;
export const RECORD_HEADER = 7;

/** One RTP payload read back from a record. */
export interface RtpRecord {
  audio: boolean;
  marker: boolean;
  /** Media timestamp in the track's RTP clock (90 kHz video, 48 kHz Opus), before the viewer's offset. */
  timestamp: number;
  payload: Buffer;
}

/** Consecutive records of one track and timestamp (one frame's packets), sent together. */
export interface RtpRecordGroup {
  audio: boolean;
  timestamp: number;
  /** Whether the group's last packet carries the marker. */
  marker: boolean;
  payloads: Buffer[];
}

/** Groups records by track and timestamp, keeping their order; a marker ends a group. */
export function groupRecords(records: readonly RtpRecord[]): RtpRecordGroup[] {
  const out: RtpRecordGroup[] = [];
  let open: RtpRecordGroup | undefined;
  for (const r of records) {
    if (open === undefined || open.audio !== r.audio || open.timestamp !== r.timestamp || open.marker) {
      open = { audio: r.audio, timestamp: r.timestamp, marker: r.marker, payloads: [r.payload] };
      out.push(open);
    } else {
      open.payloads.push(r.payload);
      open.marker = r.marker;
    }
  }
  return out;
}

/** Reads the records of one write; payloads are views on `bytes`. */
export function readRecords(bytes: Buffer): RtpRecord[] {
  const out: RtpRecord[] = [];
  let pos = 0;
  while (pos + RECORD_HEADER <= bytes.length) {
    const flags = bytes[pos] as number;
    const timestamp = bytes.readUInt32BE(pos + 1);
    const length = bytes.readUInt16BE(pos + 5);
    const start = pos + RECORD_HEADER;
    out.push({ audio: (flags & RecordFlag.Audio) !== 0, marker: (flags & RecordFlag.Marker) !== 0, timestamp, payload: bytes.subarray(start, start + length) });
    pos = start + length;
  }
  return out;
}

/**
 * The hub FrameFormat of one stream's WebRTC viewers: H.264 repacketized without re-encoding
 * (SPS/PPS put in front of every keyframe, since a viewer cannot read the hub's avcC), Opus passed
 * through. Other codecs are not carried (AAC needs transcoding).
 */
export class RtpFrameFormat implements FrameFormat {
  readonly name = 'webrtc-rtp';
  /** UDP sends packet by packet: batching would only add latency. */
  readonly realtime = true;
  private readonly cache = new WeakMap<HubFrame, Buffer | null>();
  /** Records of each written Buffer, read once for every viewer that gets the same bytes. */
  private readonly parsed = new WeakMap<Buffer, RtpRecord[]>();
  private readonly grouped = new WeakMap<Buffer, RtpRecordGroup[]>();
  private parameterSets: Buffer[] = [];
  private readonly untap: () => void;
  /** True once a frame with a composition offset (B-frames) went by: viewers may see stutter. */
  sawBFrames = false;

  constructor(
    stream: Stream,
    private readonly maxPayloadSize: number,
  ) {
    for (const f of stream.startupFrames()) this.noteConfig(f);
    // the tap runs as frames are pushed, before the fan-out encodes them: the config is always current
    this.untap = stream.addFrameListener((f) => this.noteConfig(f));
  }

  close(): void {
    this.untap();
  }

  /** The records of bytes this format wrote (the same Buffer reaches every viewer): parsed once, shared. */
  recordsOf(bytes: Buffer): RtpRecord[] {
    let records = this.parsed.get(bytes);
    if (records === undefined) {
      records = readRecords(bytes);
      this.parsed.set(bytes, records);
    }
    return records;
  }

  /** The records of a write grouped per frame and track, built once for every viewer that gets the same bytes. */
  groupsOf(bytes: Buffer): RtpRecordGroup[] {
    let groups = this.grouped.get(bytes);
    if (groups === undefined) {
      groups = groupRecords(this.recordsOf(bytes));
      this.grouped.set(bytes, groups);
    }
    return groups;
  }

  encode(frame: HubFrame): Buffer | undefined {
    const cached = this.cache.get(frame);
    if (cached !== undefined) return cached ?? undefined;
    const bytes = this.build(frame);
    this.cache.set(frame, bytes ?? null);
    return bytes;
  }

  private build(frame: HubFrame): Buffer | undefined {
    if (frame.kind === 'metadata' || frame.config) return undefined;
    if (frame.codec === 'opus') return records([frame.data], Math.round(frame.pts * 48) >>> 0, RecordFlag.Audio, false);
    if (frame.codec !== 'h264') return undefined;
    if (frame.pts !== frame.dts) this.sawBFrames = true;
    let nals: Buffer[];
    try {
      nals = splitNalUnits(frame.data).filter((n) => ((n[0] as number) & 0x1f) !== AvcNalType.AccessUnitDelimiter);
    } catch {
      return undefined;
    }
    if (frame.keyframe && !nals.some((n) => ((n[0] as number) & 0x1f) === AvcNalType.Sps)) nals = [...this.parameterSets, ...nals];
    return records(packetizeH264(nals, this.maxPayloadSize), Math.round(frame.pts * 90) >>> 0, 0, true);
  }

  private noteConfig(frame: HubFrame): void {
    if (frame.kind !== 'video' || !frame.config || frame.codec !== 'h264') return;
    try {
      const config = parseAvcDecoderConfig((frame as MediaFrame).data);
      this.parameterSets = [...config.sps, ...config.pps].map((b) => Buffer.from(b));
    } catch {
      // keep the previous sets: a broken header must not stop playback that already works
    }
  }
}

// RFC 6184 §5.1: the marker ends a video access unit; Opus senders leave it clear outside talkspurts
function records(payloads: readonly Buffer[], timestamp: number, flags: number, markLast: boolean): Buffer {
  const size = payloads.reduce((n, p) => n + RECORD_HEADER + p.length, 0);
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  payloads.forEach((p, i) => {
    out[pos] = flags | (markLast && i === payloads.length - 1 ? RecordFlag.Marker : 0);
    out.writeUInt32BE(timestamp, pos + 1);
    out.writeUInt16BE(p.length, pos + 5);
    pos += RECORD_HEADER + p.copy(out, pos + RECORD_HEADER);
  });
  return out;
}
