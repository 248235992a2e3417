export { FlvUnsupportedCodecError, FlvEncodeError } from './errors.js';
export {
  FlvTagType,
  FlvFrameType,
  FlvSoundFormat,
  ExVideoPacketType,
  ExAudioPacketType,
  type FlvTagTypeValue,
} from './constants.js';
export { parseFlvVideoBody } from './video-body.js';
export { parseFlvAudioBody } from './audio-body.js';
export { buildFlvBody } from './build-body.js';
export {
  buildFlvTag,
  flvTagOf,
  buildFlvFileHeader,
  FLV_FILE_HEADER_AV,
  FLV_TAG_HEADER_SIZE,
  type FlvFileHeaderFlags,
} from './tag.js';
export { FlvDemuxer, type FlvTag, type FlvFileHeader, type FlvDemuxerOptions } from './demuxer.js';
