import type { MediaFrame } from '../frame.js';
import {
  ExAudioPacketType,
  ExVideoPacketType,
  FlvFrameType,
  FlvLegacyPacketType,
  FlvSoundFormat,
  FlvVideoCodecId,
} from './constants.js';
import { FlvEncodeError, FlvUnsupportedCodecError } from './errors.js';

const VIDEO_FOURCC_OF: Readonly<Record<string, string>> = { h265: 'hvc1', av1: 'av01', vp9: 'vp09' };
const SI24_MIN = -(2 ** 23);
const SI24_MAX = 2 ** 23 - 1;
// SoundRate 3 (44 kHz), SoundSize 1 (16-bit), SoundType 1 (stereo): FLV §E.4.2.1 fixes these for AAC
const AAC_LEGACY_FLAGS = 0x0f;

/**
 * The FLV tag body (what follows the 11-byte tag header) for a frame: legacy AVC/AAC/MP3 headers,
 * E-RTMP FourCC headers for H.265, AV1, VP9 and Opus. Returns `frame.flvBody` when it is set and
 * caches the result there, so each frame is serialized once whatever the number of viewers.
 */
export function buildFlvBody(frame: MediaFrame): Buffer {
  if (frame.flvBody) return frame.flvBody;
  const body = frame.kind === 'video' ? buildVideoBody(frame) : buildAudioBody(frame);
  frame.flvBody = body;
  return body;
}

function buildVideoBody(frame: MediaFrame): Buffer {
  // a sequence header is sent as a key frame, as encoders do
  const frameType = frame.config || frame.keyframe ? FlvFrameType.Key : FlvFrameType.Inter;
  const cts = compositionTime(frame);
  if (frame.codec === 'h264') {
    const out = withHeader(frame.data, 5);
    out[0] = (frameType << 4) | FlvVideoCodecId.Avc;
    out[1] = frame.config ? FlvLegacyPacketType.SequenceHeader : FlvLegacyPacketType.Frame;
    out.writeIntBE(frame.config ? 0 : cts, 2, 3);
    return out;
  }
  const fourCc = VIDEO_FOURCC_OF[frame.codec];
  if (fourCc === undefined) throw new FlvUnsupportedCodecError('video', frame.codec);
  // E-RTMP: CodedFramesX saves the SI24 when the offset is 0; only HEVC may need it at all
  const withCts = !frame.config && frame.codec === 'h265' && cts !== 0;
  let packetType: number = ExVideoPacketType.CodedFrames;
  if (frame.config) packetType = ExVideoPacketType.SequenceStart;
  else if (frame.codec === 'h265' && !withCts) packetType = ExVideoPacketType.CodedFramesX;
  const out = withHeader(frame.data, withCts ? 8 : 5);
  out[0] = 0x80 | (frameType << 4) | packetType;
  out.write(fourCc, 1, 'latin1');
  if (withCts) out.writeIntBE(cts, 5, 3);
  return out;
}

function buildAudioBody(frame: MediaFrame): Buffer {
  switch (frame.codec) {
    case 'aac': {
      const out = withHeader(frame.data, 2);
      out[0] = (FlvSoundFormat.Aac << 4) | AAC_LEGACY_FLAGS;
      out[1] = frame.config ? FlvLegacyPacketType.SequenceHeader : FlvLegacyPacketType.Frame;
      return out;
    }
    case 'mp3': {
      const out = withHeader(frame.data, 1);
      out[0] = (FlvSoundFormat.Mp3 << 4) | mp3Flags(frame.data);
      return out;
    }
    case 'opus': {
      const out = withHeader(frame.data, 5);
      out[0] = (FlvSoundFormat.ExHeader << 4) | (frame.config ? ExAudioPacketType.SequenceStart : ExAudioPacketType.CodedFrames);
      out.write('Opus', 1, 'latin1');
      return out;
    }
    default:
      throw new FlvUnsupportedCodecError('audio', frame.codec);
  }
}

/** One allocation: header space followed by the payload. */
function withHeader(data: Buffer, headerSize: number): Buffer {
  const out = Buffer.allocUnsafe(headerSize + data.length);
  data.copy(out, headerSize);
  return out;
}

function compositionTime(frame: MediaFrame): number {
  const cts = Math.round(frame.pts - frame.dts);
  if (cts < SI24_MIN || cts > SI24_MAX) {
    throw new FlvEncodeError(`composition offset ${cts} ms does not fit FLV's 24 bits`);
  }
  return cts;
}

const MP3_RATES: Readonly<Record<number, readonly number[]>> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

/** SoundRate/SoundSize/SoundType bits from the first MPEG audio frame header (ISO 11172-3 §2.4.1.3). */
function mp3Flags(data: Buffer): number {
  const b1 = data[1];
  const b2 = data[2];
  const b3 = data[3];
  // without a readable header, say 44 kHz stereo: players decode MP3 from its own headers anyway
  if (data[0] !== 0xff || b1 === undefined || b2 === undefined || b3 === undefined || (b1 & 0xe0) !== 0xe0) {
    return 0x0f;
  }
  const rate = MP3_RATES[(b1 >> 3) & 0x03]?.[(b2 >> 2) & 0x03] ?? 44100;
  const rateBits = rate >= 44100 ? 3 : rate >= 22050 ? 2 : rate >= 11025 ? 1 : 0;
  const stereo = b3 >> 6 !== 3; // channel mode 3 is single channel
  return (rateBits << 2) | 0x02 | (stereo ? 1 : 0);
}
