import { parseAudioSpecificConfig, type AudioSpecificConfig } from '../aac/index.js';
import type { MediaFrame } from '../frame.js';
import { AacPesQueue, type AudioPes } from './aac-pes-queue.js';
import { annexBAccessUnit, annexBVideoConfig, type AnnexBVideoConfig } from './annexb-access-unit.js';
import { TsUnsupportedCodecError } from './errors.js';
import { PcrClock } from './pcr-clock.js';
import { writePesHeader } from './pes.js';
import { buildPatSection, buildPmtSection, PROGRAM_TABLES_SIZE, writeProgramTables, type PmtStream } from './psi.js';
import { msToTicks, PesStreamId, TS_PACKET_SIZE, TsPid, TsStreamType } from './ts-constants.js';
import { type AdaptationFlags, ContinuityCounters, packetCount, writePayloadPackets, writePcrOnlyPacket } from './ts-packet.js';

/** Video codecs the muxer carries. */
export type TsVideoCodec = 'h264' | 'h265';
/** Audio codecs the muxer carries. */
export type TsAudioCodec = 'aac';

/** Options of a TsMuxer; every field is optional. */
export interface TsMuxerOptions {
  /** The video track. With neither track given, tracks are learned from the frames as they come. */
  video?: TsVideoCodec;
  /** The audio track. */
  audio?: TsAudioCodec;
  /** PCR = DTS minus this, so a decoder has the access unit before it is due; default 0. */
  pcrDelayMs?: number;
  /** AAC frames are packed into one PES while they span less than this; default 50, 0 = one per PES. */
  audioPesSpanMs?: number;
}

const EMPTY = Buffer.alloc(0);
const MAX_PES_HEADER = 19;

/**
 * Muxes hub frames into an MPEG-TS (ISO/IEC 13818-1) for HLS: one program, PMT on PID 0x1000,
 * video on 0x100 (carrying the PCR), audio on 0x101 (carrying it for audio-only streams).
 * Continuity counters and the PCR run on across segments. Each call returns whole 188-byte
 * packets built into one Buffer, to be shared by every viewer.
 */
export class TsMuxer {
  private video: TsVideoCodec | undefined;
  private audio: TsAudioCodec | undefined;
  private readonly learn: boolean;
  private videoConfig: AnnexBVideoConfig | undefined;
  private asc: AudioSpecificConfig | undefined;
  private readonly counters = new ContinuityCounters();
  private readonly pcr: PcrClock;
  private readonly audioQueue: AacPesQueue;
  private readonly pat = buildPatSection();
  private pmt: Buffer = EMPTY;
  private pmtVersion = -1;
  /** The tables changed (or were never written) since the last segmentStart. */
  private tablesDue = true;
  private readonly pesHeader = Buffer.alloc(MAX_PES_HEADER);

  constructor(options: TsMuxerOptions = {}) {
    if (options.video !== undefined && options.video !== 'h264' && options.video !== 'h265') {
      throw new TsUnsupportedCodecError('video', options.video);
    }
    if (options.audio !== undefined && options.audio !== 'aac') throw new TsUnsupportedCodecError('audio', options.audio);
    this.video = options.video;
    this.audio = options.audio;
    this.learn = options.video === undefined && options.audio === undefined;
    this.pcr = new PcrClock(msToTicks(options.pcrDelayMs ?? 0));
    this.audioQueue = new AacPesQueue(options.audioPesSpanMs ?? 50);
    this.rebuildPmt();
  }

  /** The PID the PMT names as PCR_PID: video when there is video, else audio. */
  get pcrPid(): number {
    return this.video !== undefined ? TsPid.Video : this.audio !== undefined ? TsPid.Audio : TsPid.Null;
  }

  /** PAT and PMT packets to begin an HLS segment with (call `flush()` first to end the previous one). */
  segmentStart(): Buffer {
    const out = Buffer.allocUnsafe(PROGRAM_TABLES_SIZE);
    writeProgramTables(out, 0, this.counters, this.pat, this.pmt);
    this.tablesDue = false;
    return out;
  }

  /**
   * The packets of one frame's PES (empty for configuration frames, which only update state, for
   * frames of tracks the muxer does not carry, and while AAC frames are being packed).
   * Throws ParseError for malformed configuration records or NAL unit lengths.
   */
  writeFrame(frame: MediaFrame): Buffer {
    if (frame.kind === 'video') return this.writeVideo(frame);
    return this.writeAudio(frame);
  }

  /** The packets of the AAC frames still being packed; call at a segment boundary and at the end. */
  flush(): Buffer {
    const pes = this.audioQueue.flush();
    return pes ? this.writeAudioPes(pes) : EMPTY;
  }

  private writeVideo(frame: MediaFrame): Buffer {
    if (frame.codec !== this.video) {
      if (!this.learn || (frame.codec !== 'h264' && frame.codec !== 'h265')) return EMPTY;
      this.video = frame.codec;
      this.videoConfig = undefined;
      this.rebuildPmt();
    }
    const codec = this.video;
    if (frame.config) {
      this.videoConfig = annexBVideoConfig(codec, frame.data);
      return EMPTY;
    }
    if (frame.data.length === 0) return EMPTY;
    // without a configuration record yet, assume the usual 4-byte lengths and in-band parameter sets
    const config = this.videoConfig ?? { codec, nalLengthSize: 4, parameterSets: [] };
    const au = annexBAccessUnit(frame.data, frame.keyframe, config);
    const pts = msToTicks(frame.pts);
    const dts = msToTicks(frame.dts);
    return this.writePes(TsPid.Video, PesStreamId.Video, pts, dts, au.chunks, au.size, frame.keyframe);
  }

  private writeAudio(frame: MediaFrame): Buffer {
    if (frame.codec !== this.audio) {
      if (!this.learn || frame.codec !== 'aac') return EMPTY;
      this.audio = frame.codec;
      this.asc = undefined;
      this.rebuildPmt();
    }
    if (frame.config) {
      const out = this.flush(); // frames packed so far were coded with the previous configuration
      this.asc = parseAudioSpecificConfig(frame.data);
      return out;
    }
    if (this.asc === undefined) return EMPTY; // ADTS headers need the configuration
    const pes = this.audioQueue.push(frame, this.asc);
    return pes ? this.writeAudioPes(pes) : EMPTY;
  }

  private writeAudioPes(pes: AudioPes): Buffer {
    const pts = msToTicks(pes.pts);
    // audio-only streams carry their PCR here; every AAC frame is a random access point then
    return this.writePes(TsPid.Audio, PesStreamId.Audio, pts, pts, pes.chunks, pes.size, this.pcrPid === TsPid.Audio);
  }

  /** Lays out [PAT, PMT] if due, PCR-only packets if due, then the PES, in one Buffer. */
  private writePes(pid: number, streamId: number, pts: number, dts: number, chunks: Buffer[], payloadLength: number, randomAccess: boolean): Buffer {
    const headerSize = writePesHeader(this.pesHeader, 0, { streamId, pts, dts, payloadLength });
    const size = headerSize + payloadLength;
    const onPcrPid = pid === this.pcrPid;
    const plan = this.pcr.plan(dts, onPcrPid);
    const pcrOnly: AdaptationFlags[] = plan.fill.map((pcr) => ({ pcr }));
    const flags: AdaptationFlags = { randomAccess };
    if (plan.pcr !== undefined) {
      if (onPcrPid) Object.assign(flags, { pcr: plan.pcr, discontinuity: plan.discontinuity });
      else pcrOnly.push({ pcr: plan.pcr, discontinuity: plan.discontinuity });
    }
    const tables = this.tablesDue ? PROGRAM_TABLES_SIZE : 0;
    const out = Buffer.allocUnsafe(tables + (pcrOnly.length + packetCount(size, flags)) * TS_PACKET_SIZE);
    let pos = 0;
    if (this.tablesDue) pos = writeProgramTables(out, pos, this.counters, this.pat, this.pmt);
    this.tablesDue = false;
    for (const only of pcrOnly) pos = writePcrOnlyPacket(out, pos, this.pcrPid, this.counters, only);
    chunks.unshift(this.pesHeader.subarray(0, headerSize));
    writePayloadPackets(out, pos, pid, this.counters, chunks, size, flags);
    return out;
  }

  /** A new PMT version for the current tracks; it goes out before the next PES. */
  private rebuildPmt(): void {
    const streams: PmtStream[] = [];
    if (this.video !== undefined) {
      streams.push({ pid: TsPid.Video, streamType: this.video === 'h264' ? TsStreamType.H264 : TsStreamType.H265 });
    }
    if (this.audio !== undefined) streams.push({ pid: TsPid.Audio, streamType: TsStreamType.AacAdts });
    this.pmtVersion = (this.pmtVersion + 1) & 0x1f;
    this.pmt = buildPmtSection({ pcrPid: this.pcrPid, streams, version: this.pmtVersion });
    this.tablesDue = true;
  }
}
