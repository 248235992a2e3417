// ffmpeg children that turn one hub stream into another (ABR renditions, WebRTC-ready video):
// frames in as FLV, frames back as a derived Stream, restarted with backoff.
export { Transcoder } from './transcoder.js';
export { transcoderArgs, type LadderOptions, type RenditionSpec } from './ladder.js';
