export { Av1ObuType, readObus, readLeb128, type Av1Obu } from './obu.js';
export { parseAv1SequenceHeader, type Av1SequenceHeader } from './sequence-header.js';
export { parseAv1CodecConfig, buildAv1CodecConfig, type Av1CodecConfig } from './codec-config.js';
export { av1TrackInfo, av1CodecString, av1LevelName } from './track-info.js';
