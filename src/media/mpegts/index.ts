export { TsMuxer, type TsMuxerOptions, type TsVideoCodec, type TsAudioCodec } from './ts-muxer.js';
export { TsUnsupportedCodecError } from './errors.js';
export {
  TS_PACKET_SIZE,
  TsPid,
  TsStreamType,
  PesStreamId,
  TIMESTAMP_MODULO as TS_TIMESTAMP_MODULO,
} from './ts-constants.js';
export { buildPesHeader, readPesTimestamp, type PesHeaderInit } from './pes.js';
export { crc32Mpeg, type PmtStream } from './psi.js';
export { checkTransportStream, type TsReport, type PtsRange } from './ts-checker.js';
export { TsDemuxer, demuxTransportStream, type TsPes, type TsProgramInfo } from './ts-demuxer.js';
export { readTsPacket, isTsProblem, type TsPacketView, type TsAdaptation, type TsProblem, type TsProblemKind } from './ts-reader.js';
