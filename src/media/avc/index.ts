export {
  AvcNalType,
  splitNalUnits,
  joinNalUnits,
  avcNalType,
  isAvcKeyframe,
  type NalLengthSize,
} from './nal-units.js';
export { splitAnnexB, joinAnnexB } from './annex-b.js';
export { parseAvcSps, type AvcSps } from './sps.js';
export {
  parseAvcDecoderConfig,
  buildAvcDecoderConfig,
  type AvcDecoderConfig,
  type AvcDecoderConfigInit,
} from './decoder-config.js';
export { avcTrackInfo, avcCodecString, avcProfileName, avcLevelName } from './track-info.js';
