import type { FrameFormat } from '../../hub/index.js';
import { flvTagOf, type HubFrame } from '../../media/index.js';

/** Hub frames as FLV tags, built once per frame (cached on it) and shared by every HTTP-FLV and WS-FLV viewer. */
export const flvFrameFormat: FrameFormat = {
  name: 'flv',
  encode: (frame: HubFrame): Buffer => flvTagOf(frame),
};
