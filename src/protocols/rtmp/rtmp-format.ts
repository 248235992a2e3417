import type { FrameFormat } from '../../hub/index.js';
import { buildFlvBody, type HubFrame } from '../../media/index.js';
import { encodeChunks } from './chunk/index.js';
import { ChunkStreamId, MessageType } from './message-types.js';

/**
 * Hub frames as RTMP chunks. The shared instance (message stream 1, the server's chunk size)
 * caches its bytes on the frame so every player of a stream is written the same Buffer;
 * a player on another message stream id gets a private, uncached instance.
 */
export class RtmpFrameFormat implements FrameFormat {
  readonly name: string;

  constructor(
    readonly chunkSize: number,
    readonly messageStreamId: number,
    private readonly cached: boolean,
  ) {
    this.name = `rtmp/${chunkSize}/${messageStreamId}`;
  }

  encode(frame: HubFrame): Buffer {
    if (this.cached && frame.rtmpChunks !== undefined) return frame.rtmpChunks;
    let bytes: Buffer;
    if (frame.kind === 'metadata') {
      bytes = encodeChunks(ChunkStreamId.Data, MessageType.DataAmf0, frame.dts, this.messageStreamId, frame.amf0, this.chunkSize);
    } else if (frame.kind === 'video') {
      bytes = encodeChunks(ChunkStreamId.Video, MessageType.Video, frame.dts, this.messageStreamId, buildFlvBody(frame), this.chunkSize);
    } else {
      bytes = encodeChunks(ChunkStreamId.Audio, MessageType.Audio, frame.dts, this.messageStreamId, buildFlvBody(frame), this.chunkSize);
    }
    if (this.cached) frame.rtmpChunks = bytes;
    return bytes;
  }
}
