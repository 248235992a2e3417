import { ParseError } from '../../base/index.js';
import type { VideoTrackInfo } from '../frame.js';
import { parseHevcDecoderConfig } from './decoder-config.js';
import { hevcCodecString, hevcLevelName, hevcProfileName } from './profile-tier-level.js';
import { parseHevcSps } from './sps.js';

/** Describes an H.265 track from its hvcC record (size and frame rate come from the first SPS). */
export function hevcTrackInfo(hvcC: Buffer): VideoTrackInfo {
  const config = parseHevcDecoderConfig(hvcC);
  const first = config.sps[0];
  if (!first) throw new ParseError('hvcC carries no SPS', 22);
  const sps = parseHevcSps(first);
  const info: VideoTrackInfo = {
    codec: 'h265',
    codecString: hevcCodecString(config),
    width: sps.width,
    height: sps.height,
    profile: hevcProfileName(config.profileIdc),
    level: hevcLevelName(config.levelIdc),
  };
  // hvcC avgFrameRate is in frames per 256 s and is the fallback when the VUI has no timing
  const fps = sps.fps ?? (config.avgFrameRate > 0 ? Math.round((config.avgFrameRate / 256) * 1000) / 1000 : undefined);
  if (fps !== undefined) info.fps = fps;
  return info;
}
