export { AacUnsupportedConfigError } from './errors.js';
export { AAC_SAMPLE_RATES, channelsForConfig, configForChannels } from './sampling.js';
export {
  parseAudioSpecificConfig,
  buildAudioSpecificConfig,
  type AudioSpecificConfig,
  type AudioSpecificConfigInit,
} from './audio-specific-config.js';
export { buildAdtsHeader, ADTS_HEADER_SIZE } from './adts.js';
export { aacTrackInfo } from './track-info.js';
