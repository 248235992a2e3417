export { Mp4MuxError } from './errors.js';
export {
  mp4TrackFromConfig,
  VIDEO_TIMESCALE,
  type Mp4Track,
  type Mp4VideoTrack,
  type Mp4AudioTrack,
} from './tracks.js';
export { buildInitSegment, initSegmentBrands } from './init-segment.js';
export { buildFragment, isIndependentFragment, type FragmentRun, type FragmentOptions } from './fragment.js';
export { msToTicks, opusPacketTicks } from './sample-timing.js';
export { mp4Codecs, mp4CodecString } from './codecs-string.js';
export { readBoxes, findBox, type Mp4Box } from './box-reader.js';
export { readInitTracks, readMoofRuns, isSyncSample, type InitTrack, type TrackRun, type FragmentSample } from './fragment-index.js';
export { buildProgressiveHeader, trackMediaTicks, type ProgressiveTrack } from './progressive-header.js';
export { planDefragment, type DefragmentPlan, type PayloadRange } from './defragment-plan.js';
