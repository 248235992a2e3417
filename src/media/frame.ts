/** Codecs a video track can carry through the hub. */
export type VideoCodec = 'h264' | 'h265' | 'av1' | 'vp9';
/** Codecs an audio track can carry through the hub. */
export type AudioCodec = 'aac' | 'mp3' | 'opus';

/** What the hub knows about a track once its sequence header has been parsed. */
export interface VideoTrackInfo {
  codec: VideoCodec;
  /** RFC 6381 codec string, e.g. `avc1.64001f`; used by HLS CODECS and the API. */
  codecString: string;
  width: number;
  height: number;
  /** Frames per second from the bitstream timing info, when the encoder wrote it. */
  fps?: number;
  profile?: string;
  level?: string;
}

export interface AudioTrackInfo {
  codec: AudioCodec;
  codecString: string;
  sampleRate: number;
  channels: number;
  /** AAC audio object type (2 = LC) when the codec is AAC. */
  objectType?: number;
}

/**
 * One access unit (or codec configuration) flowing from a publisher to every output.
 * Timestamps are milliseconds relative to the stream's start, 64-bit safe numbers.
 * Outputs cache the bytes they serialize on the frame so that each format is built once
 * and shared by all its viewers.
 */
export interface MediaFrame {
  readonly kind: 'video' | 'audio';
  readonly codec: VideoCodec | AudioCodec;
  /** Decode timestamp in ms. */
  readonly dts: number;
  /** Presentation timestamp in ms (pts - dts is the composition offset for B-frames). */
  readonly pts: number;
  /** A random access point (IDR / IRAP / key OBU); always false for audio. */
  readonly keyframe: boolean;
  /** True when `data` is codec configuration (AVCDecoderConfigurationRecord, AudioSpecificConfig...). */
  readonly config: boolean;
  /**
   * The codec payload: length-prefixed NAL units for H.264/H.265, OBUs for AV1, a raw frame
   * for AAC/Opus, or the configuration record when `config` is true.
   */
  readonly data: Buffer;
  /** Cached FLV tag body (what follows the 11-byte tag header), set by whoever built or received it. */
  flvBody?: Buffer;
  /** Cached complete FLV tag (header + body + previous-tag-size), shared by HTTP-FLV and WS-FLV viewers. */
  flvTag?: Buffer;
  /** Cached RTMP message chunks for the server's shared outbound chunking (see protocols/rtmp). */
  rtmpChunks?: Buffer;
}

/** A timed metadata message (onMetaData and friends), forwarded to outputs that carry it. */
export interface MetadataFrame {
  readonly kind: 'metadata';
  readonly dts: number;
  /** The AMF0 bytes of the data message as FLV script data (name string + value). */
  readonly amf0: Buffer;
  flvTag?: Buffer;
  rtmpChunks?: Buffer;
}

export type HubFrame = MediaFrame | MetadataFrame;
