import { ParseError } from '../../base/index.js';
import type { MediaFrame, VideoCodec } from '../frame.js';
import {
  ExVideoPacketType,
  FlvFrameType,
  FlvLegacyPacketType,
  FlvVideoCodecId,
  LEGACY_VIDEO_CODECS,
  VIDEO_FOURCC,
} from './constants.js';
import { FlvUnsupportedCodecError } from './errors.js';
import { skipModEx } from './mod-ex.js';

/**
 * Turns the body of an RTMP video message / FLV video tag into a MediaFrame whose `data` is a
 * view on `body` (and `flvBody` is `body`, so FLV outputs resend the same bytes). Returns null
 * for messages that carry no frame (end of sequence, command frames, metadata, empty payloads).
 * Sequence headers come back with `config: true` and `keyframe: false`.
 * Throws FlvUnsupportedCodecError for codecs we do not carry, ParseError for malformed bodies.
 */
export function parseFlvVideoBody(body: Buffer, dts: number): MediaFrame | null {
  const first = body[0];
  if (first === undefined) throw new ParseError('empty video body', 0);
  // E-RTMP: the top bit of the first byte is IsExVideoHeader
  return (first & 0x80) !== 0 ? parseEnhanced(body, first, dts) : parseLegacy(body, first, dts);
}

function parseLegacy(body: Buffer, first: number, dts: number): MediaFrame | null {
  const frameType = first >> 4;
  const codecId = first & 0x0f;
  // FLV §E.4.3.1: a video info/command frame carries a seek command, not a picture
  if (frameType === FlvFrameType.Command) return null;
  let codec: VideoCodec;
  if (codecId === FlvVideoCodecId.Avc) codec = 'h264';
  else if (codecId === FlvVideoCodecId.Hevc) codec = 'h265';
  else throw new FlvUnsupportedCodecError('video', LEGACY_VIDEO_CODECS[codecId] ?? `codec id ${codecId}`);
  checkFrameType(frameType);
  if (body.length < 5) throw new ParseError(`video body of ${body.length} bytes, AVC header needs 5`, 0);
  const packetType = body.readUInt8(1);
  const cts = body.readIntBE(2, 3); // SI24 CompositionTime
  switch (packetType) {
    case FlvLegacyPacketType.SequenceHeader:
      return frame(codec, body, 5, dts, cts, frameType, true);
    case FlvLegacyPacketType.Frame:
      return frame(codec, body, 5, dts, cts, frameType, false);
    case FlvLegacyPacketType.EndOfSequence:
      return null;
    default:
      throw new ParseError(`unknown AVCPacketType ${packetType}`, 1);
  }
}

function parseEnhanced(body: Buffer, first: number, dts: number): MediaFrame | null {
  const frameType = (first >> 4) & 0x07;
  const { packetType, pos } = skipModEx(body, first & 0x0f, 1);
  // E-RTMP "Enhanced Video": a command frame has a UI8 command and no FourCC or payload
  if (packetType !== ExVideoPacketType.Metadata && frameType === FlvFrameType.Command) return null;
  if (packetType === ExVideoPacketType.Multitrack) throw new FlvUnsupportedCodecError('video', 'multitrack');
  if (pos + 4 > body.length) throw new ParseError('video FourCC truncated', pos);
  const fourCc = body.toString('latin1', pos, pos + 4);
  const codec = VIDEO_FOURCC[fourCc];
  if (codec === undefined) throw new FlvUnsupportedCodecError('video', fourCc);
  const dataStart = pos + 4;
  switch (packetType) {
    case ExVideoPacketType.SequenceStart:
      checkFrameType(frameType);
      return frame(codec, body, dataStart, dts, 0, frameType, true);
    case ExVideoPacketType.CodedFrames: {
      checkFrameType(frameType);
      // only AVC and HEVC carry a composition time offset; AV1 and VP9 never reorder
      const hasCts = codec === 'h264' || codec === 'h265';
      if (hasCts && dataStart + 3 > body.length) throw new ParseError('composition time truncated', dataStart);
      const cts = hasCts ? body.readIntBE(dataStart, 3) : 0;
      const start = hasCts ? dataStart + 3 : dataStart;
      return frame(codec, body, start, dts, cts, frameType, false);
    }
    case ExVideoPacketType.CodedFramesX:
      checkFrameType(frameType);
      return frame(codec, body, dataStart, dts, 0, frameType, false);
    case ExVideoPacketType.SequenceEnd:
    case ExVideoPacketType.Metadata:
    case ExVideoPacketType.Mpeg2TsSequenceStart:
      return null;
    default:
      throw new ParseError(`unknown VideoPacketType ${packetType}`, 0);
  }
}

function checkFrameType(frameType: number): void {
  if (frameType < FlvFrameType.Key || frameType > FlvFrameType.GeneratedKey) {
    throw new ParseError(`reserved video frame type ${frameType}`, 0);
  }
}

function frame(
  codec: VideoCodec,
  body: Buffer,
  start: number,
  dts: number,
  cts: number,
  frameType: number,
  config: boolean,
): MediaFrame | null {
  // an empty payload carries nothing a player could use
  if (start >= body.length) return null;
  const keyframe = !config && (frameType === FlvFrameType.Key || frameType === FlvFrameType.GeneratedKey);
  return { kind: 'video', codec, dts, pts: dts + cts, keyframe, config, data: body.subarray(start), flvBody: body };
}
