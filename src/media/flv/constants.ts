import type { AudioCodec, VideoCodec } from '../frame.js';

/** FLV tag types (FLV spec v10.1 §E.4.1). */
export const FlvTagType = { Audio: 8, Video: 9, Script: 18 } as const;
export type FlvTagTypeValue = (typeof FlvTagType)[keyof typeof FlvTagType];

/** VideoTagHeader FrameType (§E.4.3.1). */
export const FlvFrameType = { Key: 1, Inter: 2, DisposableInter: 3, GeneratedKey: 4, Command: 5 } as const;

/** Legacy VideoTagHeader CodecID: 7 is AVC; 12 is the de-facto HEVC id used before Enhanced RTMP. */
export const FlvVideoCodecId = { Avc: 7, Hevc: 12 } as const;

/** Legacy AudioTagHeader SoundFormat values we read or write. */
export const FlvSoundFormat = { Mp3: 2, ExHeader: 9, Aac: 10, Mp3At8kHz: 14 } as const;

/** AVCPacketType / AACPacketType of the legacy formats. */
export const FlvLegacyPacketType = { SequenceHeader: 0, Frame: 1, EndOfSequence: 2 } as const;

/** Enhanced RTMP VideoPacketType (E-RTMP v2 "Enhanced Video"). */
export const ExVideoPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  CodedFramesX: 3,
  Metadata: 4,
  Mpeg2TsSequenceStart: 5,
  Multitrack: 6,
  ModEx: 7,
} as const;

/** Enhanced RTMP AudioPacketType (E-RTMP v2 "Enhanced Audio"). */
export const ExAudioPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  MultichannelConfig: 4,
  Multitrack: 5,
  ModEx: 7,
} as const;

/** Enhanced RTMP video FourCCs we carry. */
export const VIDEO_FOURCC: Readonly<Record<string, VideoCodec>> = {
  avc1: 'h264',
  hvc1: 'h265',
  av01: 'av1',
  vp09: 'vp9',
};

/** Enhanced RTMP audio FourCCs we carry. */
export const AUDIO_FOURCC: Readonly<Record<string, AudioCodec>> = {
  Opus: 'opus',
  mp4a: 'aac',
  '.mp3': 'mp3',
};

/** Legacy video CodecID names for the error message when a publisher uses an old codec. */
export const LEGACY_VIDEO_CODECS: Readonly<Record<number, string>> = {
  1: 'JPEG',
  2: 'Sorenson H.263',
  3: 'Screen video',
  4: 'On2 VP6',
  5: 'On2 VP6 alpha',
  6: 'Screen video v2',
};

/** Legacy SoundFormat names for the error message when a publisher uses an old codec. */
export const LEGACY_AUDIO_CODECS: Readonly<Record<number, string>> = {
  0: 'LPCM platform endian',
  1: 'ADPCM',
  3: 'LPCM little endian',
  4: 'Nellymoser 16 kHz mono',
  5: 'Nellymoser 8 kHz mono',
  6: 'Nellymoser',
  7: 'G.711 A-law',
  8: 'G.711 mu-law',
  11: 'Speex',
  15: 'device-specific',
};
