import type { AudioTrackInfo, VideoTrackInfo } from '../media/index.js';
import type { PublisherInfo, Stream } from './stream.js';
import type { StreamState } from './stream-state.js';
import type { ViewerProtocol } from './subscriber.js';

/** A plain, JSON-ready picture of a stream, as the SDK and the REST API show it. */
export interface StreamInfo {
  id: string;
  state: StreamState;
  createdAt: string;
  startedAt: string | null;
  uptimeSeconds: number;
  publisher: PublisherInfo;
  video: VideoTrackInfo | null;
  audio: AudioTrackInfo | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bitrateKbps: number;
  viewers: Record<ViewerProtocol, number> & { total: number };
  droppedFrames: number;
  metadata: Record<string, unknown>;
}

/** Takes a snapshot of a stream for the API. */
export function describeStream(stream: Stream, now = Date.now()): StreamInfo {
  const fps = stream.fps();
  return {
    id: stream.id,
    state: stream.state,
    createdAt: new Date(stream.createdAt).toISOString(),
    startedAt: stream.startedAt !== undefined ? new Date(stream.startedAt).toISOString() : null,
    uptimeSeconds: stream.startedAt !== undefined ? Math.round((now - stream.startedAt) / 100) / 10 : 0,
    publisher: stream.publisher,
    video: stream.video ?? null,
    audio: stream.audio ?? null,
    width: stream.video?.width ?? null,
    height: stream.video?.height ?? null,
    fps: fps !== undefined ? Math.round(fps * 100) / 100 : null,
    bitrateKbps: Math.round(stream.bitrate() / 1000),
    viewers: stream.viewerCounts(),
    droppedFrames: stream.droppedFrames,
    metadata: stream.metadata,
  };
}
