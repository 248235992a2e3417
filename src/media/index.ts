import { ParseError } from '../base/index.js';
import { aacTrackInfo } from './aac/index.js';
import { av1TrackInfo } from './av1/index.js';
import { avcTrackInfo } from './avc/index.js';
import type { AudioTrackInfo, MediaFrame, VideoTrackInfo } from './frame.js';
import { hevcTrackInfo } from './hevc/index.js';

export type {
  VideoCodec,
  AudioCodec,
  VideoTrackInfo,
  AudioTrackInfo,
  MediaFrame,
  MetadataFrame,
  HubFrame,
} from './frame.js';
export * from './bits/index.js';
export * from './avc/index.js';
export * from './hevc/index.js';
export * from './av1/index.js';
export * from './aac/index.js';
export * from './flv/index.js';
export * from './mpegts/index.js';
export * from './mp4/index.js';
export * from './rtp/index.js';

/**
 * Track details from a configuration frame (avcC, hvcC, av1C, AudioSpecificConfig, OpusHead);
 * undefined for frames that are not configuration or codecs whose config says nothing useful
 * (VP9's vpcC has no picture size). Throws ParseError when the configuration is malformed.
 */
export function describeConfigFrame(frame: MediaFrame): VideoTrackInfo | AudioTrackInfo | undefined {
  if (!frame.config) return undefined;
  switch (frame.codec) {
    case 'h264':
      return avcTrackInfo(frame.data);
    case 'h265':
      return hevcTrackInfo(frame.data);
    case 'av1':
      return av1TrackInfo(frame.data);
    case 'aac':
      return aacTrackInfo(frame.data);
    case 'opus':
      return opusTrackInfo(frame.data);
    default:
      return undefined;
  }
}

/** RFC 7845 §5.1: OpusHead magic, version, then the channel count; Opus always decodes at 48 kHz. */
function opusTrackInfo(head: Buffer): AudioTrackInfo {
  const channels = head[9];
  if (head.toString('latin1', 0, 8) !== 'OpusHead' || channels === undefined) {
    throw new ParseError('not an OpusHead', 0);
  }
  return { codec: 'opus', codecString: 'opus', sampleRate: 48000, channels };
}
