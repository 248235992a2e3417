export { HevcNalType, hevcNalType, isHevcKeyframe } from './nal-units.js';
export {
  hevcCodecString,
  hevcProfileName,
  hevcLevelName,
  type HevcProfileTierLevel,
} from './profile-tier-level.js';
export {
  parseHevcDecoderConfig,
  buildHevcDecoderConfig,
  type HevcDecoderConfig,
  type HevcDecoderConfigInit,
  type HevcNalArray,
} from './decoder-config.js';
export { parseHevcSps, type HevcSps } from './sps.js';
export { hevcTrackInfo } from './track-info.js';
