import { parseAudioSpecificConfig } from '../aac/index.js';
import type { AudioTrackInfo, MediaFrame, VideoTrackInfo } from '../frame.js';
import { Mp4MuxError } from './errors.js';

interface Mp4TrackCommon {
  /** track_ID, 1-based and unique in the init segment. */
  id: number;
  /** Ticks per second of the track's media timeline (mdhd, tfdt, trun). */
  timescale: number;
  /** The codec configuration record: avcC, hvcC, av1C, AudioSpecificConfig or OpusHead. */
  config: Buffer;
  /**
   * Nominal duration of one sample in timescale ticks: the exact AAC frame length, Opus's fallback
   * when a packet's TOC cannot be read, and the video frame duration when nothing else says.
   */
  frameDuration: number;
}

/** A video track of an fMP4 stream. */
export interface Mp4VideoTrack extends Mp4TrackCommon {
  kind: 'video';
  codec: 'h264' | 'h265' | 'av1';
  width: number;
  height: number;
}

/** An audio track of an fMP4 stream. */
export interface Mp4AudioTrack extends Mp4TrackCommon {
  kind: 'audio';
  codec: 'aac' | 'opus';
  /** Output sample rate (after SBR for HE-AAC; always 48000 for Opus). */
  sampleRate: number;
  channels: number;
}

/** One track of an fMP4 init segment and its fragments. */
export type Mp4Track = Mp4VideoTrack | Mp4AudioTrack;

/** 90 kHz: divisible by 24, 25, 30, 50 and 60 fps, and the clock MPEG-TS and RTP video use. */
export const VIDEO_TIMESCALE = 90_000;
const OPUS_RATE = 48_000;
const AAC_FRAME_SAMPLES = 1024;
const OPUS_DEFAULT_FRAME = 960; // 20 ms, what encoders send unless told otherwise

/**
 * Builds a track from a stream's configuration frame and the track info the hub computed from it
 * (`describeConfigFrame`); throws Mp4MuxError for codecs this muxer does not carry (VP9, MP3).
 */
export function mp4TrackFromConfig(config: MediaFrame, info: VideoTrackInfo | AudioTrackInfo, id: number): Mp4Track {
  if (!config.config) throw new Mp4MuxError(`track ${id}: frame is not a configuration frame`);
  if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) throw new Mp4MuxError(`track id ${id} out of range`);
  if (config.kind === 'video' && 'width' in info) {
    const codec = config.codec;
    if (codec !== 'h264' && codec !== 'h265' && codec !== 'av1') throw new Mp4MuxError(`video codec ${codec} is not supported`);
    const fps = info.fps !== undefined && info.fps > 0 ? info.fps : 30;
    return {
      kind: 'video',
      codec,
      id,
      timescale: VIDEO_TIMESCALE,
      config: config.data,
      frameDuration: Math.round(VIDEO_TIMESCALE / fps),
      width: info.width,
      height: info.height,
    };
  }
  if (config.kind === 'audio' && 'sampleRate' in info) {
    if (config.codec === 'aac') {
      // the timescale is the output rate so that one tick is one decoded sample; with SBR
      // (HE-AAC, §4.6.18 of 14496-3) a 1024-sample core frame decodes to 2048 output samples
      const asc = parseAudioSpecificConfig(config.data);
      const frameDuration = Math.round((AAC_FRAME_SAMPLES * asc.outputSampleRate) / asc.sampleRate);
      return {
        kind: 'audio',
        codec: 'aac',
        id,
        timescale: asc.outputSampleRate,
        config: config.data,
        frameDuration,
        sampleRate: asc.outputSampleRate,
        channels: info.channels,
      };
    }
    if (config.codec === 'opus') {
      // Opus-in-ISOBMFF §4.3: the media timescale should be 48000, Opus's only decoding rate
      return {
        kind: 'audio',
        codec: 'opus',
        id,
        timescale: OPUS_RATE,
        config: config.data,
        frameDuration: OPUS_DEFAULT_FRAME,
        sampleRate: OPUS_RATE,
        channels: info.channels,
      };
    }
    throw new Mp4MuxError(`audio codec ${config.codec} is not supported`);
  }
  throw new Mp4MuxError(`track ${id}: ${config.kind} frame with ${config.codec} info of the other kind`);
}
