import { ParseError } from '../../base/index.js';
import type { AudioCodec, MediaFrame } from '../frame.js';
import { AUDIO_FOURCC, ExAudioPacketType, FlvLegacyPacketType, FlvSoundFormat, LEGACY_AUDIO_CODECS } from './constants.js';
import { FlvUnsupportedCodecError } from './errors.js';
import { skipModEx } from './mod-ex.js';

/**
 * Turns the body of an RTMP audio message / FLV audio tag into a MediaFrame whose `data` is a
 * view on `body` (`flvBody` is `body`). Returns null for messages that carry no frame.
 * AAC: AACPacketType 0 is the AudioSpecificConfig (`config: true`), 1 a raw frame; MP3 has no
 * config; E-RTMP FourCC audio covers Opus, AAC ('mp4a') and MP3 ('.mp3').
 * Throws FlvUnsupportedCodecError for other codecs, ParseError for malformed bodies.
 */
export function parseFlvAudioBody(body: Buffer, dts: number): MediaFrame | null {
  const first = body[0];
  if (first === undefined) throw new ParseError('empty audio body', 0);
  const soundFormat = first >> 4;
  switch (soundFormat) {
    case FlvSoundFormat.Aac: {
      if (body.length < 2) throw new ParseError('AAC body has no AACPacketType', 1);
      const packetType = body.readUInt8(1);
      if (packetType === FlvLegacyPacketType.SequenceHeader) return frame('aac', body, 2, dts, true);
      if (packetType === FlvLegacyPacketType.Frame) return frame('aac', body, 2, dts, false);
      throw new ParseError(`unknown AACPacketType ${packetType}`, 1);
    }
    case FlvSoundFormat.Mp3:
    case FlvSoundFormat.Mp3At8kHz:
      return frame('mp3', body, 1, dts, false);
    case FlvSoundFormat.ExHeader:
      return parseEnhanced(body, first, dts);
    default:
      throw new FlvUnsupportedCodecError('audio', LEGACY_AUDIO_CODECS[soundFormat] ?? `sound format ${soundFormat}`);
  }
}

function parseEnhanced(body: Buffer, first: number, dts: number): MediaFrame | null {
  const { packetType, pos } = skipModEx(body, first & 0x0f, 1);
  if (packetType === ExAudioPacketType.Multitrack) throw new FlvUnsupportedCodecError('audio', 'multitrack');
  if (pos + 4 > body.length) throw new ParseError('audio FourCC truncated', pos);
  const fourCc = body.toString('latin1', pos, pos + 4);
  const codec = AUDIO_FOURCC[fourCc];
  if (codec === undefined) throw new FlvUnsupportedCodecError('audio', fourCc);
  switch (packetType) {
    case ExAudioPacketType.SequenceStart:
      // MP3 is self-describing; a sequence start for it has nothing we need
      return codec === 'mp3' ? null : frame(codec, body, pos + 4, dts, true);
    case ExAudioPacketType.CodedFrames:
      return frame(codec, body, pos + 4, dts, false);
    case ExAudioPacketType.SequenceEnd:
    case ExAudioPacketType.MultichannelConfig:
      return null;
    default:
      throw new ParseError(`unknown AudioPacketType ${packetType}`, 0);
  }
}

function frame(codec: AudioCodec, body: Buffer, start: number, dts: number, config: boolean): MediaFrame | null {
  // an empty payload carries nothing a player could use
  if (start >= body.length) return null;
  return { kind: 'audio', codec, dts, pts: dts, keyframe: false, config, data: body.subarray(start), flvBody: body };
}
