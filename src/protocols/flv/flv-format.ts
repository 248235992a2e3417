import type { FrameFormat } from '../../hub/index.js';
import { buildFlvBody, buildFlvTag, type HubFrame } from '../../media/index.js';

const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
const TAG_SCRIPT = 18;

/** Hub frames as FLV tags, built once per frame and shared by every HTTP-FLV and WS-FLV viewer. */
export const flvFrameFormat: FrameFormat = {
  name: 'flv',
  encode(frame: HubFrame): Buffer {
    if (frame.flvTag !== undefined) return frame.flvTag;
    let tag: Buffer;
    if (frame.kind === 'metadata') tag = buildFlvTag(TAG_SCRIPT, frame.dts, frame.amf0);
    else tag = buildFlvTag(frame.kind === 'video' ? TAG_VIDEO : TAG_AUDIO, frame.dts, buildFlvBody(frame));
    frame.flvTag = tag;
    return tag;
  },
};
