export { Transcoder } from './transcoder.js';
export { transcoderArgs, type LadderOptions, type RenditionSpec } from './ladder.js';
