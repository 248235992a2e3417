import { ParseError } from '../../base/index.js';
import type { VideoTrackInfo } from '../frame.js';
import { parseAvcDecoderConfig } from './decoder-config.js';
import { parseAvcSps } from './sps.js';

const PROFILE_NAMES: Readonly<Record<number, string>> = {
  44: 'CAVLC 4:4:4 Intra',
  66: 'Baseline',
  77: 'Main',
  88: 'Extended',
  100: 'High',
  110: 'High 10',
  122: 'High 4:2:2',
  244: 'High 4:4:4 Predictive',
};

/** RFC 6381 §3.3 codec string for H.264: `avc1.` + profile, constraint byte and level in hex. */
export function avcCodecString(profile: number, compat: number, level: number): string {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `avc1.${hex(profile)}${hex(compat)}${hex(level)}`;
}

/** Human-readable H.264 profile name ("High", "Constrained Baseline"...). */
export function avcProfileName(profile: number, compat: number): string {
  // H.264 §A.2.1.1: Baseline with constraint_set1_flag is Constrained Baseline
  if (profile === 66 && (compat & 0x40) !== 0) return 'Constrained Baseline';
  return PROFILE_NAMES[profile] ?? String(profile);
}

/** H.264 level as written in Annex A ("3.1", "1b"). */
export function avcLevelName(profile: number, compat: number, level: number): string {
  // §A.3.1: level_idc 11 with constraint_set3_flag means 1b for Baseline/Main/Extended
  if (level === 9 || (level === 11 && (compat & 0x10) !== 0 && [66, 77, 88].includes(profile))) return '1b';
  return String(level / 10);
}

/** Describes an H.264 track from its avcC record (picture size and frame rate come from the first SPS). */
export function avcTrackInfo(avcC: Buffer): VideoTrackInfo {
  const config = parseAvcDecoderConfig(avcC);
  const first = config.sps[0];
  if (!first) throw new ParseError('avcC carries no SPS', 5);
  const sps = parseAvcSps(first);
  const info: VideoTrackInfo = {
    codec: 'h264',
    codecString: avcCodecString(config.profile, config.compat, config.level),
    width: sps.width,
    height: sps.height,
    profile: avcProfileName(config.profile, config.compat),
    level: avcLevelName(config.profile, config.compat, config.level),
  };
  if (sps.fps !== undefined) info.fps = sps.fps;
  return info;
}
