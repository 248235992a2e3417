import { ParseError } from '../../base/index.js';
import type { VideoTrackInfo } from '../frame.js';
import { parseAv1CodecConfig } from './codec-config.js';

const PROFILE_NAMES = ['Main', 'High', 'Professional'];

/** Codec string per AV1-ISOBMFF "Codecs Parameter String": `av01.P.LLT.DD`, e.g. `av01.0.08M.08`. */
export function av1CodecString(profile: number, level: number, tier: number, bitDepth: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `av01.${profile}.${two(level)}${tier ? 'H' : 'M'}.${two(bitDepth)}`;
}

/** AV1 level as written in Annex A ("4.0"): seq_level_idx = 4 × (major - 2) + minor. */
export function av1LevelName(level: number): string {
  // §A.3: 31 means no level constraints
  return level === 31 ? 'max' : `${2 + (level >> 2)}.${level & 3}`;
}

/** Describes an AV1 track from its av1C record (size from the sequence header's max frame size). */
export function av1TrackInfo(av1C: Buffer): VideoTrackInfo {
  const config = parseAv1CodecConfig(av1C);
  const seq = config.sequenceHeader;
  if (!seq) throw new ParseError('av1C carries no sequence header OBU', 4);
  const info: VideoTrackInfo = {
    codec: 'av1',
    codecString: av1CodecString(seq.profile, seq.level, seq.tier, seq.bitDepth),
    width: seq.maxFrameWidth,
    height: seq.maxFrameHeight,
    profile: PROFILE_NAMES[seq.profile] ?? String(seq.profile),
    level: av1LevelName(seq.level),
  };
  if (seq.fps !== undefined) info.fps = seq.fps;
  return info;
}
