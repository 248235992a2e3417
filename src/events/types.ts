import type { ChatMessage, ModerationRecord } from '../chat/index.js';
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
  /** A chat message was broadcast (emitted once cluster-wide, by the node it was posted on). */
  chatMessage: [message: ChatMessage];
  /** A chat moderation action (ban, timeout, delete, clear, slow mode...) was taken. */
  chatModeration: [record: ModerationRecord];
}

export type ZenLiveEventName = keyof ZenLiveEvents;
