import type { StreamInfo, ViewerProtocol } from '../hub/index.js';
import type { RecordingMetadata } from '../storage/index.js';

/** A recording part that has begun. */
export interface RecordingStartedEvent {
  id: string;
  streamId: string;
  part: number;
  startedAt: string;
  formats: readonly string[];
}

/** A viewer joining or leaving a stream. */
export interface ViewerEvent {
  streamId: string;
  viewerId: string;
  protocol: ViewerProtocol;
  remoteAddress: string | null;
  /** Why the viewer left (viewerLeft only). */
  reason?: string;
}

/** Every event ZenLive emits, with its arguments; SDK listeners and (later) webhooks get the same. */
export interface ZenLiveEvents {
  streamCreated: [stream: StreamInfo];
  streamStarted: [stream: StreamInfo];
  streamEnded: [stream: StreamInfo];
  streamFailed: [stream: StreamInfo, error: Error];
  viewerJoined: [viewer: ViewerEvent];
  viewerLeft: [viewer: ViewerEvent];
  recordingStarted: [recording: RecordingStartedEvent];
  recordingFinished: [recording: RecordingMetadata];
  recordingFailed: [recording: { recordingId: string; streamId: string }, error: Error];
}

export type ZenLiveEventName = keyof ZenLiveEvents;
